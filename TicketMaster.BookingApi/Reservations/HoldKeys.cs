using StackExchange.Redis;

namespace TicketMaster.BookingApi.Reservations;

// Every key of one event carries the hash tag {eventId}, so a Lua script touching many of them runs on one
// Redis Cluster slot (DESIGN §3).
public static class HoldKeys
{
    public static RedisKey Hold(long eventId, long seatId) => $"tm:{{{eventId}}}:hold:{seatId}";
    public static RedisKey Sold(long eventId) => $"tm:{{{eventId}}}:sold";
    public static RedisKey SoldLoaded(long eventId) => $"tm:{{{eventId}}}:sold:loaded";
    /// <summary>Seats a fan has bought for the event (the per-user limit counts them without asking MySQL).</summary>
    public static RedisKey Booked(long eventId, string userId) => $"tm:{{{eventId}}}:booked:{userId}";
    // Strings in Reservation.ToStored's format; named rsv/rsvrec since they stopped being hashes (res/resrec), so an
    // older version's hash is never read as one.
    public static RedisKey Reservation(long eventId, string reservationId) => $"tm:{{{eventId}}}:rsv:{reservationId}";
    /// <summary>Outlives the hold (a day), so a late confirm is told "expired" (410), not "unknown" (404).</summary>
    public static RedisKey ReservationRecord(long eventId, string reservationId) => $"tm:{{{eventId}}}:rsvrec:{reservationId}";
    public static RedisKey UserHolds(long eventId, string userId) => $"tm:{{{eventId}}}:user:{userId}";
    /// <summary>The fan's reserves of this event in the current rate-limit window (RateLimits:WritesPerUser, its TTL the window).</summary>
    public static RedisKey ReserveRate(long eventId, string userId) => $"tm:{{{eventId}}}:rate:{userId}";
    /// <summary>Dedupes the "expired" announcement that every replica hears from Redis.</summary>
    public static RedisKey ExpiryAnnounced(long eventId, long seatId) => $"tm:{{{eventId}}}:expired:{seatId}";
    /// <summary>Recent seat changes (a capped Redis stream): their ids are the seat stream's event ids, so a client can resume.</summary>
    public static RedisKey SeatLog(long eventId) => $"tm:{{{eventId}}}:seats:log";
    public static RedisChannel SeatChannel(long eventId) => RedisChannel.Literal($"tm:{{{eventId}}}:seats");
}
