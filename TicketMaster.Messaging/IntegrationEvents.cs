namespace TicketMaster.Messaging;

/// <summary>
/// A fact one service publishes through its outbox and another consumes. The message type is the routing key; each
/// has one publisher and at least one consumer (docs/DESIGN.md §4 lists them).
/// </summary>
public interface IIntegrationEvent
{
    static abstract string MessageType { get; }
}

/// <summary>EventsApi → the Indexer: rebuild the search index from the catalog.</summary>
public sealed record CatalogReindexRequested(DateTimeOffset RequestedAt) : IIntegrationEvent
{
    public static string MessageType => "catalog.reindex_requested";
}

/// <summary>BookingApi → EventsApi: seats of an event were sold (the catalog keeps each event's availability).</summary>
public sealed record BookingConfirmed(long BookingId, string ReservationId, long EventId, string UserId, IReadOnlyList<long> SeatIds,
    long TotalCents) : IIntegrationEvent
{
    public static string MessageType => "booking.confirmed";
}

/// <summary>BookingApi → EventsApi: seats of an event were refunded and are on sale again (the catalog's availability).</summary>
public sealed record BookingRefunded(long RefundId, long BookingId, long EventId, IReadOnlyList<long> SeatIds, long AmountCents) : IIntegrationEvent
{
    public static string MessageType => "booking.refunded";
}

/// <summary>
/// EventsApi → BookingApi: what a sale must know of an event — its terms, its owner and door staff, and the details a
/// booking shows. Sent on every change of any of them; <c>Event.Version</c> grows with each, so the sale keeps the
/// newest whatever order the messages arrive in.
/// </summary>
public sealed record EventSaleChanged(EventDocument Event, string OwnerId, DateTimeOffset OnSaleAt, int MaxTicketsPerUser, bool WaitingRoom,
    IReadOnlyList<string> Staff, DateTimeOffset? RefundableUntil = null, long RefundFeeCents = 0, int? HoldSeconds = null,
    IReadOnlyList<long>? SectionOrder = null) : IIntegrationEvent
{
    public static string MessageType => "event.sale_changed";
}

/// <summary>
/// An event as the sale needs it, served by EventsApi to BookingApi (GET /v1/admin/catalog/events/{id}/sale) the first
/// time the sale meets the event: its terms and its priced seats, read together. Seats and prices never change once
/// the event exists; later changes of the terms arrive as <see cref="EventSaleChanged"/>.
/// </summary>
public sealed record EventSaleListing(EventSaleChanged Terms, IReadOnlyList<ListedSeat> Seats);

public sealed record ListedSeat(long SeatId, long SectionId, string Section, string Row, int Number, long PriceCents);
