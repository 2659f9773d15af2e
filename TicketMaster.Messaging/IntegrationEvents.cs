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
