using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Bookings;

public sealed record PaymentInfo(string? Method);

/// <summary>POST /v1/booking/confirm: `reservation_id`, or the seed's `event_id` + `seat_id`.</summary>
public sealed record ConfirmRequest(string? ReservationId, long? EventId, long? SeatId, PaymentInfo? PaymentInfo);

public sealed record EventDetails(long EventId, string EventName, DateTimeOffset StartsAt, DateTimeOffset EndsAt, VenueSummary Venue, IReadOnlyList<PerformerSummary> Performers);

public sealed record TicketSeat(long SeatId, string Section, string Row, int Number);

/// <summary>A ticket of a booking; a refunded one has no QR code (it admits no one).</summary>
public sealed record TicketResponse(long TicketId, TicketSeat Seat, long PriceCents, string? QrCode, DateTimeOffset? CheckedInAt,
    string Status = TicketStatuses.Valid);

public sealed record CheckInDetails(IReadOnlyList<TicketResponse> Tickets, DateTimeOffset GatesOpenAt);

public sealed record BookingResponse(
    string ConfirmationNumber,
    long BookingId,
    string ReservationId,
    string Status,
    long TotalCents,
    DateTimeOffset CreatedAt,
    EventDetails EventDetails,
    CheckInDetails CheckInDetails,
    long RefundedCents = 0);

public sealed record CheckInRequest(string? QrCode);

/// <summary>POST /v1/booking/bookings/{booking_id}/cancel: every valid ticket, or the ones named.</summary>
public sealed record CancelRequest(List<long>? TicketIds);

public sealed record RefundSummary(long RefundId, IReadOnlyList<long> TicketIds, long AmountCents, long FeeCents, string Status);

public sealed record CancelResponse(long BookingId, string Status, long TotalCents, long RefundedCents, RefundSummary Refund);

/// <summary>A booking is confirmed until tickets of it are refunded: partially_refunded, then cancelled when none is valid.</summary>
public static class BookingStatuses
{
    public const string Confirmed = "confirmed";
    public const string PartiallyRefunded = "partially_refunded";
    public const string Cancelled = "cancelled";
}

/// <summary>
/// A ticket admits someone while valid; a refunded one never again (its seat is on sale once more). A booking shows a
/// valid ticket its buyer gave away as transferred (its code is the recipient's now).
/// </summary>
public static class TicketStatuses
{
    public const string Valid = "valid";
    public const string Refunded = "refunded";
    public const string Transferred = "transferred";
}

/// <summary>A refund is pending until the provider gave the money back, then refunded.</summary>
public static class RefundStatuses
{
    public const string Pending = "pending";
    public const string Refunded = "refunded";
}

/// <summary>Who asked for a refund: the fan (within the policy, less its fee), or the event's cancellation (in full).</summary>
public static class RefundReasons
{
    public const string Fan = "fan";
    public const string EventCancelled = "event_cancelled";
}

public sealed record CheckInResponse(long TicketId, long EventId, TicketSeat Seat, DateTimeOffset CheckedInAt);
