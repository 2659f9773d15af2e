using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TicketMaster.BookingApi.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;

namespace TicketMaster.BookingApi.WaitingRoom;

// DESIGN §5: a Redis sorted set per event. Nobody is ever removed from it, so a fan's rank is fixed once the
// sale opens (later joiners go behind) and admission is a single counter: the first `admitted` ranks are in.
public sealed class WaitingRoomStore(IConnectionMultiplexer redis, QueuePasses passes, SingleFlightCache cache, IOptions<WaitingRoomOptions> options)
{
    public const string OrderRule =
        "Fans who joined before on_sale_at are ordered by the first 13 hex digits of SHA-1(seed + \":\" + user_id), smallest first; "
        + "seed_sha256 is published from the first join and the seed once the sale opens, so anyone can check both. "
        + "Fans who join later queue behind them in arrival order.";

    // Positions are polled by every waiting fan: the room's counters are read once per event per 250 ms and process.
    private static readonly TimeSpan RoomFreshness = TimeSpan.FromMilliseconds(250);

    private sealed record Room(long Admitted, long InQueue, double Rate, bool SoldOut);

    private IDatabase Db => redis.GetDatabase();

    public static string NewQueueId(long eventId) =>
        $"q_{eventId.ToString(CultureInfo.InvariantCulture)}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

    public static bool TryParseEventId(string queueId, out long eventId)
    {
        eventId = 0;
        return queueId.Split('_') is ["q", var id, { Length: 32 }]
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out eventId);
    }

    /// <summary>Joins (or finds the fan's existing place; once, after a pass lapsed unused, a new one at the back) → the queue id and whether it is new.</summary>
    public async Task<(string QueueId, bool Joined)> JoinAsync(long eventId, string userId, EventSale sale)
    {
        await SeedAsync(eventId, sale);
        var fresh = NewQueueId(eventId);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(WaitingRoomScripts.Join,
            [WaitingRoomKeys.Seed(eventId), WaitingRoomKeys.Queue(eventId), WaitingRoomKeys.QueueIdByUser(eventId),
             WaitingRoomKeys.UserByQueueId(eventId), WaitingRoomKeys.Arrivals(eventId), WaitingRoomKeys.Admitted(eventId),
             WaitingRoomKeys.PassExpiry(eventId), HoldKeys.Booked(eventId, userId), WaitingRoomKeys.Requeued(eventId)],
            [userId, fresh, sale.OnSaleAt.ToUnixTimeMilliseconds(), sale.KeysExpireAtMilliseconds]))!;
        await Db.SetAddAsync(WaitingRoomKeys.Active, eventId);
        var queueId = (string)result[0]!;
        return (queueId, queueId == fresh);
    }

    /// <summary>The fan and rank (0-based) behind a queue id; null when there is no such queue id.</summary>
    public async Task<(string UserId, long Rank)?> PlaceAsync(string queueId, long eventId)
    {
        var userId = (string?)await Db.HashGetAsync(WaitingRoomKeys.UserByQueueId(eventId), queueId);
        var rank = await Db.SortedSetRankAsync(WaitingRoomKeys.Queue(eventId), queueId);
        return userId is null || rank is null ? null : (userId, rank.Value);
    }

    /// <summary>Null when there is no such queue id.</summary>
    public async Task<QueueStatus?> StatusAsync(string queueId, EventSale sale, long eventId) =>
        await PlaceAsync(queueId, eventId) is { } place ? await StatusAsync(queueId, place, sale, eventId) : null;

    /// <summary>
    /// The status of a known place. Once the sale is open a rank never changes (nobody leaves, later joiners go
    /// behind), so a position stream looks the place up once and then only reads the room's shared counters.
    /// </summary>
    public async Task<QueueStatus> StatusAsync(string queueId, (string UserId, long Rank) place, EventSale sale, long eventId)
    {
        var room = await RoomAsync(eventId, sale);
        var now = DateTimeOffset.UtcNow;
        return StatusOf(queueId, place, sale, eventId, room, place.Rank < room.Admitted ? (await PassExpiriesAsync(eventId, [queueId], sale, now))[0] : null, now);
    }

    /// <summary>
    /// The statuses of many known places at once (the waiting-room streams of a process): the room read once, fresh
    /// (one read for them all), the passes of those let in given their expiry in one script per thousand.
    /// </summary>
    public async Task<QueueStatus[]> StatusesAsync(IReadOnlyList<(string QueueId, (string UserId, long Rank) Place)> places, EventSale sale, long eventId)
    {
        var room = await ReadRoomAsync(eventId, sale);
        var now = DateTimeOffset.UtcNow;
        var expiries = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in places.Where(p => p.Place.Rank < room.Admitted).Select(p => p.QueueId).Chunk(1_000))
        {
            var result = await PassExpiriesAsync(eventId, chunk, sale, now);
            for (var i = 0; i < chunk.Length; i++)
            {
                expiries[chunk[i]] = result[i];
            }
        }
        return places.Select(p => StatusOf(p.QueueId, p.Place, sale, eventId, room, expiries.TryGetValue(p.QueueId, out var e) ? e : null, now)).ToArray();
    }

    private QueueStatus StatusOf(string queueId, (string UserId, long Rank) place, EventSale sale, long eventId, Room room, long? passExpiry,
        DateTimeOffset now)
    {
        if (passExpiry is { } expiry)
        {
            var expires = DateTimeOffset.FromUnixTimeMilliseconds(expiry);
            return expires <= now
                ? new QueueStatus(queueId, eventId, QueueStates.Expired, 0, 0, null, expires, sale.OnSaleAt)
                : new QueueStatus(queueId, eventId, QueueStates.Admitted, 0, 0, passes.Issue(eventId, place.UserId, expires), expires, sale.OnSaleAt);
        }
        var position = place.Rank - room.Admitted + 1;
        var untilSale = Math.Max(0, (sale.OnSaleAt - now).TotalSeconds);
        return new QueueStatus(queueId, eventId, room.SoldOut ? QueueStates.SoldOut : QueueStates.Waiting, position,
            Math.Round(untilSale + position / room.Rate, 1), null, null, sale.OnSaleAt);
    }

    public async Task<QueueInfo> InfoAsync(long eventId, EventSale sale)
    {
        var seed = await SeedAsync(eventId, sale);
        var room = await RoomAsync(eventId, sale);
        return new QueueInfo(eventId, sale.OnSaleAt, Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(seed))),
            sale.OnSaleAt <= DateTimeOffset.UtcNow ? seed : null, room.InQueue, room.Admitted, room.Rate, OrderRule);
    }

    public Task SetLimitsAsync(long eventId, EventSale sale, AdmissionLimits limits) =>
        Db.StringSetAsync(WaitingRoomKeys.Rate(eventId),
            string.Create(CultureInfo.InvariantCulture, $"{limits.Min}|{limits.Max}"), UntilKeysExpire(sale));

    /// <summary>The owner's bounds, else the service's (Booking:WaitingRoom:MinAdmissionsPerSecond, AdmissionsPerSecond).</summary>
    public async Task<AdmissionLimits> LimitsAsync(long eventId)
    {
        var stored = (string?)await Db.StringGetAsync(WaitingRoomKeys.Rate(eventId));
        return stored?.Split('|') switch
        {
            [var min, var max] => new AdmissionLimits(double.Parse(min, CultureInfo.InvariantCulture), double.Parse(max, CultureInfo.InvariantCulture)),
            [var fixedRate] => new AdmissionLimits(double.Parse(fixedRate, CultureInfo.InvariantCulture), double.Parse(fixedRate, CultureInfo.InvariantCulture)),
            _ => new AdmissionLimits(options.Value.MinAdmissionsPerSecond, options.Value.AdmissionsPerSecond),
        };
    }

    /// <summary>Lets up to <paramref name="count"/> more of the queue in (never beyond its end) → how many it let in.</summary>
    public async Task<long> AdmitAsync(long eventId, EventSale sale, long count) =>
        (long)await Db.ScriptEvaluateAsync(WaitingRoomScripts.Admit, [WaitingRoomKeys.Admitted(eventId), WaitingRoomKeys.Queue(eventId)],
            [count, sale.KeysExpireAtMilliseconds]);

    /// <summary>Fans let in within the hold time who may still take a seat (less the reservations made meanwhile).</summary>
    public async Task<long> InFlightAsync(long eventId, EventSale sale, TimeSpan holdTime) =>
        (long)await Db.ScriptEvaluateAsync(WaitingRoomScripts.InFlight,
            [WaitingRoomKeys.AdmissionWindow(eventId), WaitingRoomKeys.Admitted(eventId), WaitingRoomKeys.Served(eventId)],
            [(long)holdTime.TotalMilliseconds, sale.KeysExpireAtMilliseconds]);

    /// <summary>Kept a few seconds: a decision nobody renews (no admission loop) is not shown as current.</summary>
    public Task SaveDecisionAsync(AdmissionStatus status) =>
        Db.StringSetAsync(WaitingRoomKeys.Decision(status.EventId), JsonSerializer.Serialize(status, TicketMaster.ServiceDefaults.TicketMasterJson.Options),
            TimeSpan.FromSeconds(10));

    public async Task<AdmissionStatus?> DecisionAsync(long eventId) =>
        (string?)await Db.StringGetAsync(WaitingRoomKeys.Decision(eventId)) is { } json
            ? JsonSerializer.Deserialize<AdmissionStatus>(json, TicketMaster.ServiceDefaults.TicketMasterJson.Options)
            : null;

    /// <summary>The rate fans' waits are estimated at: the last decision's, never below the owner's minimum.</summary>
    public async Task<double> RateAsync(long eventId)
    {
        var limits = await LimitsAsync(eventId);
        return Math.Max(limits.Min, (await DecisionAsync(eventId))?.AdmissionsPerSecond ?? limits.Max);
    }

    public async Task<bool> SoldOutAsync(long eventId, EventSale sale) =>
        sale.Capacity > 0 && await Db.SetLengthAsync(HoldKeys.Sold(eventId)) >= sale.Capacity;

    private async Task<Room> RoomAsync(long eventId, EventSale sale) =>
        (await cache.GetAsync(("waiting-room", eventId), RoomFreshness, () => ReadRoomAsync(eventId, sale)))!;

    private async Task<Room> ReadRoomAsync(long eventId, EventSale sale)
    {
        var admitted = await Db.StringGetAsync(WaitingRoomKeys.Admitted(eventId));
        return new Room(admitted.HasValue ? (long)admitted : 0, await Db.SortedSetLengthAsync(WaitingRoomKeys.Queue(eventId)),
            await RateAsync(eventId), await SoldOutAsync(eventId, sale));
    }

    private async Task<string> SeedAsync(long eventId, EventSale sale)
    {
        var key = WaitingRoomKeys.Seed(eventId);
        await Db.StringSetAsync(key, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), UntilKeysExpire(sale), When.NotExists);
        return (string)(await Db.StringGetAsync(key))!;
    }

    /// <summary>Each place's pass expiry, set now (a pass lives Booking:WaitingRoom:PassTtl) if it had none.</summary>
    private async Task<long[]> PassExpiriesAsync(long eventId, IReadOnlyList<string> queueIds, EventSale sale, DateTimeOffset now) =>
        ((RedisResult[])(await Db.ScriptEvaluateAsync(WaitingRoomScripts.PassExpiries, [WaitingRoomKeys.PassExpiry(eventId)],
            [(now + options.Value.PassTtl).ToUnixTimeMilliseconds(), sale.KeysExpireAtMilliseconds, .. queueIds.Select(q => (RedisValue)q)]))!)
        .Select(r => (long)r).ToArray();

    // Every key of the room lives until a day after the event ends (EventSale.KeyRetention); nothing writes them later.
    private static TimeSpan UntilKeysExpire(EventSale sale) => sale.KeysExpireAt - DateTimeOffset.UtcNow;
}
