using StackExchange.Redis;
using TicketMaster.ServiceDefaults.Auth;

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
    /// <summary>A string in Reservation.ToStored's format, living as long as the hold.</summary>
    public static RedisKey Reservation(long eventId, string reservationId) => $"tm:{{{eventId}}}:rsv:{reservationId}";
    /// <summary>
    /// Outlives the hold (a day), so a late confirm is told "expired" (410), not "unknown" (404), and a retried one of a
    /// sold reservation finds its booking; the fan's release deletes it with the hold.
    /// </summary>
    public static RedisKey ReservationRecord(long eventId, string reservationId) => $"tm:{{{eventId}}}:rsvrec:{reservationId}";
    public static RedisKey UserHolds(long eventId, string userId) => $"tm:{{{eventId}}}:user:{userId}";
    /// <summary>The fan's reserves of this event in the current rate-limit window (RateLimits:WritesPerUser, its TTL the window).</summary>
    public static RedisKey ReserveRate(long eventId, string userId) => $"tm:{{{eventId}}}:rate:{userId}";
    /// <summary>Dedupes the "expired" announcement that every replica hears from Redis.</summary>
    public static RedisKey ExpiryAnnounced(long eventId, long seatId) => $"tm:{{{eventId}}}:expired:{seatId}";
    /// <summary>Recent seat changes (a capped Redis stream): their ids are the seat stream's event ids, so a client can resume.</summary>
    public static RedisKey SeatLog(long eventId) => $"tm:{{{eventId}}}:seats:log";
    /// <summary>
    /// The events a fan holds seats in, each until its latest hold ends (Booking:MaxEventsHeldPerUser): one key per fan,
    /// named by a hash of the id — the only key the hold scripts touch outside the event's hash tag.
    /// </summary>
    public static RedisKey FanEvents(string userId) => $"tm:fan:{{{UserIds.KeyHash(userId)}}}:events";
    /// <summary>The seat index (HoldScripts.SeatIndex): present once built, its value the row width in bits.</summary>
    public static RedisKey SeatIndex(long eventId) => $"tm:{{{eventId}}}:ix";
    /// <summary>One bit per seat position, set while the seat is held or sold.</summary>
    public static RedisKey SeatIndexTaken(long eventId) => $"tm:{{{eventId}}}:ix:taken";
    /// <summary>Free seats per row (u16 each).</summary>
    public static RedisKey SeatIndexFree(long eventId) => $"tm:{{{eventId}}}:ix:free";
    /// <summary>Each row's seat ids, left to right (a hash by row number).</summary>
    public static RedisKey SeatIndexRows(long eventId) => $"tm:{{{eventId}}}:ix:rows";
    /// <summary>When each hold the index knows of ends (a sorted set by time), so its seats can be freed in the index.</summary>
    public static RedisKey SeatIndexLapses(long eventId) => $"tm:{{{eventId}}}:ix:lapses";

    /// <summary>The index's keys in the order the scripts take them: mark, taken, free, rows, lapses.</summary>
    public static RedisKey[] SeatIndexKeys(long eventId) =>
        [SeatIndex(eventId), SeatIndexTaken(eventId), SeatIndexFree(eventId), SeatIndexRows(eventId), SeatIndexLapses(eventId)];

    public static RedisChannel SeatChannel(long eventId) => RedisChannel.Literal($"tm:{{{eventId}}}:seats");
}
