using TicketMaster.BookingApi.Caching;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;

namespace TicketMaster.BookingApi.Seats;

public sealed record SeatStatus(long SeatId, string Section, string Row, int Number, long PriceCents, string Status);

public sealed record SeatMap(long EventId, IReadOnlyList<SeatStatus> Seats);

/// <summary>A seat map and the id of the last seat-log entry it already reflects (read before the map was built).</summary>
public sealed record SeatMapSnapshot(SeatMap Map, StreamPosition LogPosition);

// Many fans poll the seat map or open the seat stream during a sale: one MySQL + Redis read per event per second
// and replica serves them all.
public sealed class SeatMapCache(SeatCatalog catalog, HoldStore holds, IConnectionMultiplexer redis, SingleFlightCache cache)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    /// <summary>Null when there is no such event.</summary>
    public Task<SeatMapSnapshot?> GetAsync(long eventId, CancellationToken cancellationToken) =>
        cache.GetAsync(("seat-map", eventId), Freshness, async () =>
        {
            // The log position first: a change after it may or may not be in the map, and replaying it is harmless
            // (deltas are states), whereas a change before it must be.
            var last = await redis.GetDatabase().StreamRangeAsync(HoldKeys.SeatLog(eventId), "-", "+", count: 1, messageOrder: Order.Descending);
            var position = last.Length == 0 ? StreamPosition.Start : StreamPosition.Parse(last[0].Id!);
            var seats = await catalog.GetSeatsAsync(eventId, CancellationToken.None);
            if (seats is null)
            {
                return null;
            }
            var held = await holds.HoldersAsync(eventId, seats.Where(s => s.Status == "available").Select(s => s.SeatId).ToList());
            var map = new SeatMap(eventId, seats.Select(s => new SeatStatus(s.SeatId, s.Section, s.Row, s.Number, s.PriceCents,
                s.Status == "sold" ? "sold" : held.ContainsKey(s.SeatId) ? "held" : "available")).ToList());
            return new SeatMapSnapshot(map, position);
        });
}
