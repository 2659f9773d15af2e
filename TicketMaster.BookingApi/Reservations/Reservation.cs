using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TicketMaster.BookingApi.Reservations;

/// <param name="ExpiresAt">When the hold lapses (unless kept alive, for a hold that must be).</param>
/// <param name="KeepAliveUntil">
/// For a hold kept only while its fan is at checkout (HoldStore.KeepAliveAsync): the latest its keep-alives can carry it
/// to, the event's hold time after the reserve. Null: the hold simply lasts until <paramref name="ExpiresAt"/>.
/// </param>
public sealed record Reservation(string ReservationId, long EventId, string UserId, IReadOnlyList<long> SeatIds, DateTimeOffset ExpiresAt,
    DateTimeOffset? KeepAliveUntil = null)
{
    // "r_{event_id}_{24 hex}": the event id routes to the right Redis hash slot from the id alone; the random
    // (or, with an Idempotency-Key, derived) part makes it unguessable.
    public static string NewId(long eventId, string userId, string? idempotencyKey)
    {
        var entropy = idempotencyKey is null
            ? RandomNumberGenerator.GetBytes(12)
            : SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{eventId}\n{idempotencyKey}"))[..12];
        return $"r_{eventId.ToString(CultureInfo.InvariantCulture)}_{Convert.ToHexStringLower(entropy)}";
    }

    // Redis keeps a reservation as one string, "{expires_at ms}[:{keep_alive_until ms}]|{seat ids csv}|{user id}", so the
    // reserve script sets it and its TTL in one command (a hash took two: HSET + PEXPIRE). The user id goes last: it may
    // contain anything. HoldScripts.Reserve and HoldScripts.KeepAlive write the same format.
    public string ToStored() =>
        $"{Milliseconds(ExpiresAt)}{(KeepAliveUntil is { } until ? ":" + Milliseconds(until) : "")}|{string.Join(',', SeatIds)}|{UserId}";

    public static Reservation? FromStored(string reservationId, long eventId, string? stored)
    {
        var parts = stored?.Split('|', 3);
        if (parts is not [var times, var seats, var userId])
        {
            return null;
        }
        var (expiresAt, until) = times.IndexOf(':') is var colon and >= 0 ? (times[..colon], times[(colon + 1)..]) : (times, null);
        return new Reservation(reservationId, eventId, userId,
            seats.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList(),
            FromMilliseconds(expiresAt), until is null ? null : FromMilliseconds(until));
    }

    private static string Milliseconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset FromMilliseconds(string ms) => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(ms, CultureInfo.InvariantCulture));

    public static bool TryParseEventId(string? reservationId, out long eventId)
    {
        eventId = 0;
        var parts = reservationId?.Split('_');
        return parts is ["r", var id, { Length: 24 }]
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out eventId);
    }
}
