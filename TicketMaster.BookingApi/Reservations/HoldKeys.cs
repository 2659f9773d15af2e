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
    public static RedisChannel SeatChannel(long eventId) => RedisChannel.Literal($"tm:{{{eventId}}}:seats");
}
