namespace TicketMaster.Web.Api;

// The parts of the APIs' answers the pages show (snake_case JSON, as the APIs write it).

public sealed record VenueSummary(long VenueId, string Name, string City);

public sealed record PerformerSummary(long PerformerId, string Name);

public sealed record EventHit(long EventId, string EventName, DateTimeOffset StartsAt, VenueSummary Venue, IReadOnlyList<PerformerSummary> Performers,
    string Status);

public sealed record FacetValue(string Value, long Count);

public sealed record SearchFacets(IReadOnlyList<FacetValue> City);

public sealed record SearchResult(IReadOnlyList<EventHit> Items, long Total, int Page, int PageSize, SearchFacets Facets);

public sealed record PriceRange(long MinCents, long MaxCents, string Currency);

public sealed record Availability(long TotalSeats, long AvailableSeats, long SoldSeats);

public sealed record RefundPolicy(DateTimeOffset? RefundableUntil, long FeeCents);

public sealed record EventDetails(long EventId, string EventName, string Description, DateTimeOffset StartsAt, DateTimeOffset EndsAt,
    DateTimeOffset OnSaleAt, string Status, VenueSummary Venue, IReadOnlyList<PerformerSummary> Performers, PriceRange? PriceRange,
    Availability Availability, int MaxTicketsPerUser, bool WaitingRoom, RefundPolicy RefundPolicy);

public sealed record SectionInfo(long SectionId, string Name, int SeatCount);

public sealed record VenueInfo(long VenueId, string Name, string City, string Address, IReadOnlyList<SectionInfo> Sections);

public sealed record ReservedSeat(long SeatId, string Section, string Row, int Number, long PriceCents);

/// <param name="KeepAliveUntil">A hot sale's hold: it lasts while the checkout keeps it alive, up to this time.</param>
public sealed record ReservationInfo(string ReservationId, long EventId, IReadOnlyList<long> SeatIds, DateTimeOffset ExpiresAt, IReadOnlyList<ReservedSeat> Seats,
    DateTimeOffset? KeepAliveUntil = null);

public sealed record TicketSeat(long SeatId, string Section, string Row, int Number);

public sealed record TicketInfo(long TicketId, TicketSeat Seat, long PriceCents, string? QrCode, DateTimeOffset? CheckedInAt, string Status);

public sealed record CheckInDetails(IReadOnlyList<TicketInfo> Tickets, DateTimeOffset GatesOpenAt);

public sealed record BookedEvent(long EventId, string EventName, DateTimeOffset StartsAt, DateTimeOffset EndsAt, VenueSummary Venue);

public sealed record BookingInfo(string ConfirmationNumber, long BookingId, string ReservationId, string Status, long TotalCents, DateTimeOffset CreatedAt,
    BookedEvent EventDetails, CheckInDetails CheckInDetails, long RefundedCents);

public sealed record ConfirmationStatus(string ReservationId, string Status, BookingInfo? Booking);

public sealed record SectionSales(string Section, int Capacity, int Sold, int Held, int Available, long RevenueCents);

public sealed record MinuteSales(DateTimeOffset Minute, long Tickets, long RevenueCents);

/// <summary>An RFC 9457 answer of an API: what the page tells the person.</summary>
public sealed record Problem(int Status, string? Title, string? Detail);

public sealed record ApiResult<T>(T? Value, Problem? Problem, int Status)
{
    public bool Ok => Problem is null && Value is not null;
}

/// <summary>Money as the pages show it (prices are in cents, US dollars).</summary>
public static class Money
{
    public static string Format(long cents) => (cents / 100m).ToString("$#,0.00", System.Globalization.CultureInfo.InvariantCulture);
}
