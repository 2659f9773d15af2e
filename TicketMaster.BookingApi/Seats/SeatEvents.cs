using System.Text.Json;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.Seats;

public sealed record SeatEvent(string Type, long EventId, IReadOnlyList<long> SeatIds, DateTimeOffset At);

/// <summary>Seat state changes on a Redis pub/sub channel per event, for the live seat stream to fan out.</summary>
public sealed class SeatEvents(IConnectionMultiplexer redis)
{
    public const string Held = "held";
    public const string Released = "released";
    public const string Expired = "expired";
    public const string Sold = "sold";

    public Task PublishAsync(long eventId, string type, IReadOnlyList<long> seatIds) =>
        redis.GetSubscriber().PublishAsync(HoldKeys.SeatChannel(eventId),
            JsonSerializer.Serialize(new SeatEvent(type, eventId, seatIds, DateTimeOffset.UtcNow), TicketMasterJson.Options),
            // Announcements are best effort (pub/sub has no delivery guarantee anyway): do not wait for Redis.
            CommandFlags.FireAndForget);
}
