using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TicketMaster.BookingApi.Reservations;

public sealed record Reservation(string ReservationId, long EventId, string UserId, IReadOnlyList<long> SeatIds, DateTimeOffset ExpiresAt)
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

    // Redis keeps a reservation as one string, "{expires_at ms}|{seat ids csv}|{user id}", so the reserve script sets
    // it and its TTL in one command (a hash took two: HSET + PEXPIRE). The user id goes last: it may contain anything.
    // HoldScripts.Reserve writes the same format.
    public string ToStored() =>
        $"{ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}|{string.Join(',', SeatIds)}|{UserId}";

    public static Reservation? FromStored(string reservationId, long eventId, string? stored)
    {
        var parts = stored?.Split('|', 3);
        if (parts is not [var expiresAt, var seats, var userId])
        {
            return null;
        }
        return new Reservation(reservationId, eventId, userId,
            seats.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList(),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(expiresAt, CultureInfo.InvariantCulture)));
    }

    public static bool TryParseEventId(string? reservationId, out long eventId)
    {
        eventId = 0;
        var parts = reservationId?.Split('_');
        return parts is ["r", var id, { Length: 24 }]
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out eventId);
    }
}
