using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Bookings;

public sealed record PaymentInfo(string? Method);

/// <summary>POST /v1/booking/confirm: `reservation_id`, or the seed's `event_id` + `seat_id`.</summary>
public sealed record ConfirmRequest(string? ReservationId, long? EventId, long? SeatId, PaymentInfo? PaymentInfo);

public sealed record EventDetails(long EventId, string EventName, DateTimeOffset StartsAt, DateTimeOffset EndsAt, VenueSummary Venue, IReadOnlyList<PerformerSummary> Performers);

public sealed record TicketSeat(long SeatId, string Section, string Row, int Number);

public sealed record TicketResponse(long TicketId, TicketSeat Seat, long PriceCents, string QrCode, DateTimeOffset? CheckedInAt);

public sealed record CheckInDetails(IReadOnlyList<TicketResponse> Tickets, DateTimeOffset GatesOpenAt);

public sealed record BookingResponse(
    string ConfirmationNumber,
    long BookingId,
    string ReservationId,
    string Status,
    long TotalCents,
    DateTimeOffset CreatedAt,
    EventDetails EventDetails,
    CheckInDetails CheckInDetails);

public sealed record CheckInRequest(string? QrCode);

public sealed record CheckInResponse(long TicketId, long EventId, TicketSeat Seat, DateTimeOffset CheckedInAt);
