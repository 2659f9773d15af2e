using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.EventsApi.Events;

/// <summary>POST /v1/events. Prices map each section_id of the venue to its price in cents.</summary>
public sealed record CreateEventRequest(
    string? EventName,
    string? Description,
    long? VenueId,
    List<long>? PerformerIds,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset? OnSaleAt,
    Dictionary<string, long>? Prices,
    int? MaxTicketsPerUser,
    bool? WaitingRoom,
    DateTimeOffset? RefundableUntil,
    long? RefundFeeCents,
    int? HoldSeconds = null,
    List<long>? SectionOrder = null);

/// <summary>PATCH /v1/events/{event_id}: only the fields given change.</summary>
public sealed record UpdateEventRequest(
    string? EventName,
    string? Description,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset? OnSaleAt,
    string? Status,
    int? MaxTicketsPerUser,
    bool? WaitingRoom,
    DateTimeOffset? RefundableUntil,
    long? RefundFeeCents,
    int? HoldSeconds = null,
    List<long>? SectionOrder = null);

public sealed record EventDetails(
    long EventId,
    string EventName,
    string Description,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    DateTimeOffset OnSaleAt,
    string Status,
    VenueSummary Venue,
    IReadOnlyList<PerformerSummary> Performers,
    PriceRange? PriceRange,
    Availability Availability,
    int MaxTicketsPerUser,
    bool WaitingRoom,
    RefundPolicy RefundPolicy,
    long Version,
    int? HoldSeconds = null,
    IReadOnlyList<long>? SectionOrder = null);

/// <summary>Fans may cancel tickets until <c>RefundableUntil</c> (never when null), each less the fee.</summary>
public sealed record RefundPolicy(DateTimeOffset? RefundableUntil, long FeeCents);

public sealed record PriceRange(long MinCents, long MaxCents, string Currency = "USD");

/// <summary>From MySQL: sold is final; seats held in Redis still count as available here (BookingApi shows holds).</summary>
public sealed record Availability(long TotalSeats, long AvailableSeats, long SoldSeats);

