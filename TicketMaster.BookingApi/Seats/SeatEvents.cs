using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;

namespace TicketMaster.BookingApi.Seats;

/// <summary>
/// Seat state changes, announced per event by the hold scripts themselves (HoldScripts): appended to a capped
/// Redis stream (the replay log) and published on the event's pub/sub channel as
/// <c>{"id","type","event_id","seat_ids"}</c>, where id is the stream entry id.
/// </summary>
public sealed class SeatEvents(IConnectionMultiplexer redis)
{
    public const string Held = "held";
    public const string Released = "released";
    public const string Expired = "expired";
    public const string Sold = "sold";

    /// <summary>Announces a lapsed hold once, however many replicas heard Redis expire it.</summary>
    public Task AnnounceExpiredAsync(long eventId, long seatId) =>
        redis.GetDatabase().ScriptEvaluateAsync(HoldScripts.Expired,
            [HoldKeys.ExpiryAnnounced(eventId, seatId), HoldKeys.SeatLog(eventId), HoldKeys.Hold(eventId, seatId), HoldKeys.Sold(eventId)],
            [eventId, seatId]);
}
