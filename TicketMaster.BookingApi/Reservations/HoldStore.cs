using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.BookingApi.Batching;
using TicketMaster.BookingApi.Seats;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Reservations;

public abstract record ReserveOutcome
{
    public sealed record Held(Reservation Reservation) : ReserveOutcome;
    public sealed record Conflict(IReadOnlyList<long> SeatIds) : ReserveOutcome;
    public sealed record OverLimit(int Already, int Limit) : ReserveOutcome;
    /// <summary>The fan reserved too often in the current window (RateLimits:WritesPerUser).</summary>
    public sealed record RateLimited(TimeSpan RetryAfter) : ReserveOutcome;
    /// <summary>The fan holds seats in as many other events as allowed (Booking:MaxEventsHeldPerUser).</summary>
    public sealed record TooManyEvents(IReadOnlyList<long> HeldEventIds, int Limit) : ReserveOutcome;
    /// <summary>
    /// Best available found no <c>Quantity</c> free seats side by side in one row; <c>SeatsLeft</c> are free in the rows
    /// asked for, at most <c>LargestBlock</c> of them side by side; <c>SoldOut</c>: every seat of the event is sold, so
    /// none will come back from a lapsing hold.
    /// </summary>
    public sealed record NotSideBySide(int Quantity, int SeatsLeft, int LargestBlock, bool SoldOut = false) : ReserveOutcome;
}

/// <summary>What a reserve asks for: the seats named, or the best <c>Quantity</c> side by side among <c>Rows</c> (SeatLayout.RowRanges).</summary>
public sealed record SeatChoice(IReadOnlyList<long> SeatIds, int Quantity, string? Rows)
{
    public static SeatChoice Named(IReadOnlyList<long> seatIds) => new(seatIds.Order().ToList(), seatIds.Count, null);

    public static SeatChoice Best(int quantity, string rows) => new([], quantity, rows);

    public bool IsBest => Rows is not null;
}

// Seat holds in Redis (DESIGN §3): a hold is a key per seat whose value is the reservation id and whose TTL is
// the hold time, so a lapsed hold frees its seat without any cron job. Sold seats are mirrored into a set that
// the reserve script checks; MySQL stays the final arbiter at confirm.
public sealed class HoldStore
{
    /// <summary>Most reservations one reserve script call holds.</summary>
    private const int MaxReserveBatch = 64;

    private sealed record HoldRequest(long EventId, string UserId, SeatChoice Seats, string ReservationId, int Limit, bool Idempotent,
        long KeysExpireAt, long HoldMilliseconds, long PresenceMilliseconds, string Positions, bool AskingAgain);

    /// <summary>Times a best-available reserve builds the event's seat index and asks again before giving up.</summary>
    private const int IndexBuilds = 3;

    private readonly IConnectionMultiplexer _redis;
    private readonly SeatCatalog _catalog;
    private readonly IOptions<BookingOptions> _options;
    private readonly MicroBatcher<HoldRequest, RedisResult> _reserves;

    private readonly IOptions<RateLimitOptions> _rateLimits;
    private readonly WaitingRoom.BookingPathLatency _latency;
    private readonly DueHoldSweeper _dueHolds;

    public HoldStore(IConnectionMultiplexer redis, SeatCatalog catalog, IOptions<BookingOptions> options, IOptions<RateLimitOptions> rateLimits,
        WaitingRoom.BookingPathLatency latency, DueHoldSweeper dueHolds)
    {
        _dueHolds = dueHolds;
        _redis = redis;
        _latency = latency;
        _rateLimits = rateLimits;
        _catalog = catalog;
        _options = options;
        // A hot sale sends this replica thousands of reserves a second: the ones that arrive while a script call is
        // under way go together in the next (one round trip, one script run and one seat-stream announcement for all
        // of them, instead of one each — Redis' and this process's CPU per reserve both fell; bench/ measures it).
        _reserves = new MicroBatcher<HoldRequest, RedisResult>("reserve", ReserveBatchAsync, MaxReserveBatch);
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <param name="idempotent">The id was derived from an Idempotency-Key, so a reservation with it may exist already.</param>
    /// <param name="askingAgain">A request waiting for returned seats asks again: the fan's reserve rate counted its first ask.</param>
    public async Task<ReserveOutcome> ReserveAsync(long eventId, EventSale sale, string userId, SeatChoice seats, string reservationId,
        bool idempotent, CancellationToken cancellationToken, bool askingAgain = false)
    {
        // Timed for the waiting rooms' admission rate (BookingPathLatency).
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await ReserveUntimedAsync(eventId, sale, userId, seats, reservationId, idempotent, askingAgain, cancellationToken);
        }
        finally
        {
            _latency.Record(started);
        }
    }

    private async Task<ReserveOutcome> ReserveUntimedAsync(long eventId, EventSale sale, string userId, SeatChoice seats,
        string reservationId, bool idempotent, bool askingAgain, CancellationToken cancellationToken)
    {
        var layout = await LayoutAsync(eventId);
        var request = new HoldRequest(eventId, userId, seats, reservationId, sale.MaxTicketsPerUser, idempotent, sale.KeysExpireAtMilliseconds,
            (long)(sale.HoldTime ?? _options.Value.HoldTtl).TotalMilliseconds, (long)PresenceOf(sale).TotalMilliseconds,
            seats.IsBest ? "" : layout.Positions(seats.SeatIds), askingAgain);
        var result = (RedisResult[])(await _reserves.EnqueueAsync(request))!;
        for (var build = 0; build < IndexBuilds && (string?)result[0] == "NOINDEX"; build++)
        {
            await LoadSeatIndexAsync(eventId, layout, sale.KeysExpireAtMilliseconds);
            result = (RedisResult[])(await _reserves.EnqueueAsync(request))!;
        }
        switch ((string?)result[0])
        {
            case "OK":
                var held = seats.IsBest ? ParseIds((string)result[2]!) : seats.SeatIds;
                var endsAt = FromMilliseconds(result[1]);
                _dueHolds.Track(eventId, held, endsAt);
                return new ReserveOutcome.Held(new Reservation(reservationId, eventId, userId, held, endsAt,
                    (string?)result[3] is { Length: > 0 } ? FromMilliseconds(result[3]) : null));
            case "EXISTS":
                var existing = await GetAsync(reservationId, cancellationToken);
                return existing is { Active: { } active }
                    ? new ReserveOutcome.Held(active)
                    : new ReserveOutcome.Conflict(seats.SeatIds);
            case "CONFLICT":
                return new ReserveOutcome.Conflict(result.Skip(1).Select(r => long.Parse((string)r!, CultureInfo.InvariantCulture)).ToList());
            case "LIMIT":
                return new ReserveOutcome.OverLimit(int.Parse((string)result[1]!, CultureInfo.InvariantCulture), sale.MaxTicketsPerUser);
            case "EVENTS":
                return new ReserveOutcome.TooManyEvents(result.Skip(1).Select(e => long.Parse((string)e!, CultureInfo.InvariantCulture)).Order().ToList(),
                    _options.Value.MaxEventsHeldPerUser);
            case "RATE":
                return new ReserveOutcome.RateLimited(TimeSpan.FromMilliseconds(Math.Max(0, long.Parse((string)result[1]!, CultureInfo.InvariantCulture))));
            case "NONE":
                return new ReserveOutcome.NotSideBySide(seats.Quantity, int.Parse((string)result[1]!, CultureInfo.InvariantCulture),
                    int.Parse((string)result[2]!, CultureInfo.InvariantCulture),
                    long.Parse((string)result[3]!, CultureInfo.InvariantCulture) >= layout.SeatCount);
            default:
                throw new InvalidOperationException($"Unexpected reserve script result {result[0]}");
        }
    }

    private static List<long> ParseIds(string csv) => csv.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();

    private async Task<SeatLayout> LayoutAsync(long eventId) =>
        await _catalog.LayoutAsync(eventId, CancellationToken.None) ?? SeatLayout.From([]);

    // The first best-available reserve of an event (or the first after Redis lost its data) builds the seat index from
    // the holds and sold seats as they are; replicas that find it missing at once each try, and the first one builds it.
    private async Task LoadSeatIndexAsync(long eventId, SeatLayout layout, long keysExpireAt)
    {
        if (layout.Rows.Count == 0)
        {
            return;
        }
        RedisKey[] keys = [.. HoldKeys.SeatIndexKeys(eventId), HoldKeys.Sold(eventId), HoldKeys.SoldLoaded(eventId)];
        RedisValue[] args = [layout.Stride, keysExpireAt, .. layout.Rows.Select(row => (RedisValue)string.Join(',', row))];
        if ((string?)await Db.ScriptEvaluateAsync(HoldScripts.LoadSeatIndex, keys, args) == HoldScripts.Unloaded)
        {
            await LoadSoldSeatsAsync(eventId, keysExpireAt);
            await Db.ScriptEvaluateAsync(HoldScripts.LoadSeatIndex, keys, args);
        }
    }

    // One script call per event among the waiting reserves (its keys share the event's hash tag, so the call stays
    // on one Redis Cluster slot); the results come back in the order the reserves were queued.
    private async Task<IReadOnlyList<RedisResult>> ReserveBatchAsync(IReadOnlyList<HoldRequest> batch)
    {
        var results = new RedisResult[batch.Count];
        await Task.WhenAll(batch.Select((request, index) => (Request: request, Index: index)).GroupBy(r => r.Request.EventId).Select(async byEvent =>
        {
            var eventId = byEvent.Key;
            // One hold time per call: the event's, as its newest terms say (a change reaches reserves within a second).
            var ttl = byEvent.Last().Request.HoldMilliseconds;
            var presence = byEvent.Last().Request.PresenceMilliseconds;
            List<RedisKey> keys = [HoldKeys.Sold(eventId), HoldKeys.SeatLog(eventId), HoldKeys.SoldLoaded(eventId), .. HoldKeys.SeatIndexKeys(eventId),
                WaitingRoom.WaitingRoomKeys.Served(eventId)];
            List<RedisValue> args = [eventId, ttl, byEvent.Count(), _rateLimits.Value.WritesPerUser, (long)_rateLimits.Value.Window.TotalMilliseconds,
                byEvent.Max(r => r.Request.KeysExpireAt), _options.Value.MaxEventsHeldPerUser, presence];
            foreach (var (request, _) in byEvent)
            {
                keys.AddRange(request.Seats.SeatIds.Select(s => HoldKeys.Hold(eventId, s)));
                keys.Add(HoldKeys.Reservation(eventId, request.ReservationId));
                keys.Add(HoldKeys.ReservationRecord(eventId, request.ReservationId));
                keys.Add(HoldKeys.UserHolds(eventId, request.UserId));
                keys.Add(HoldKeys.Booked(eventId, request.UserId));
                keys.Add(HoldKeys.ReserveRate(eventId, request.UserId));
                keys.Add(HoldKeys.FanEvents(request.UserId));
                args.AddRange([request.ReservationId, request.UserId, string.Join(',', request.Seats.SeatIds), request.Seats.Quantity, request.Limit,
                    (request.Idempotent ? "1" : "0") + (request.AskingAgain ? "w" : ""), request.Positions, request.Seats.Rows ?? ""]);
            }
            var answer = await Db.ScriptEvaluateAsync(HoldScripts.Reserve, [.. keys], [.. args]);
            if (answer.Resp2Type != ResultType.Array && (string?)answer == HoldScripts.Unloaded)
            {
                // The event's first reserve, or Redis lost its data: fill the sold set from MySQL, then hold.
                await LoadSoldSeatsAsync(eventId, byEvent.Max(r => r.Request.KeysExpireAt));
                answer = await Db.ScriptEvaluateAsync(HoldScripts.Reserve, [.. keys], [.. args]);
            }
            var outcomes = (RedisResult[])answer!;
            foreach (var ((_, index), outcome) in byEvent.Zip(outcomes))
            {
                results[index] = outcome;
            }
        }));
        return results;
    }

    /// <summary>
    /// How long a hold of this sale lasts without a keep-alive: Booking:HoldPresence for a sale through a waiting room
    /// (a hot sale gets seats back from fans who left checkout within it, not at the end of the hold time), else zero —
    /// a hold lasts its hold time.
    /// </summary>
    private TimeSpan PresenceOf(EventSale sale) => sale.WaitingRoom ? _options.Value.HoldPresence : TimeSpan.Zero;

    /// <summary>
    /// The fan is still at checkout: a hold kept only so lasts Booking:HoldPresence from now (never past its limit);
    /// null once it ended (lapsed, released, bought).
    /// </summary>
    public async Task<Reservation?> KeepAliveAsync(Reservation reservation)
    {
        var eventId = reservation.EventId;
        var layout = await LayoutAsync(eventId);
        RedisKey[] keys = [HoldKeys.Reservation(eventId, reservation.ReservationId), HoldKeys.UserHolds(eventId, reservation.UserId),
            HoldKeys.FanEvents(reservation.UserId), HoldKeys.SeatIndexLapses(eventId), HoldKeys.ReservationRecord(eventId, reservation.ReservationId),
            .. reservation.SeatIds.Select(s => HoldKeys.Hold(eventId, s))];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(HoldScripts.KeepAlive, keys,
            [reservation.ReservationId, (long)_options.Value.HoldPresence.TotalMilliseconds, eventId, layout.Positions(reservation.SeatIds)]))!;
        switch ((string?)result[0])
        {
            case "OK":
                var endsAt = FromMilliseconds(result[1]);
                _dueHolds.Track(eventId, reservation.SeatIds, endsAt);
                return reservation with { ExpiresAt = endsAt, KeepAliveUntil = FromMilliseconds(result[2]) };
            case "FIXED":
                return reservation with { ExpiresAt = FromMilliseconds(result[1]), KeepAliveUntil = null };
            default:
                return null;
        }
    }

    /// <summary>The live reservation (null once it expired or was released) and its longer-lived record.</summary>
    public async Task<(Reservation? Active, Reservation? Record)?> GetAsync(string reservationId, CancellationToken cancellationToken)
    {
        if (!Reservation.TryParseEventId(reservationId, out var eventId))
        {
            return null;
        }
        var active = await ActiveAsync(eventId, reservationId);
        var record = active ?? await ReadAsync(HoldKeys.ReservationRecord(eventId, reservationId), reservationId, eventId);
        return record is null ? null : (active, record);
    }

    /// <summary>The live reservation only (null once it expired, was released or sold).</summary>
    public Task<Reservation?> ActiveAsync(long eventId, string reservationId) =>
        ReadAsync(HoldKeys.Reservation(eventId, reservationId), reservationId, eventId);

    /// <summary>Frees the seats still held by this reservation and announces them as <paramref name="seatEvent"/>.</summary>
    public async Task<IReadOnlyList<long>> ReleaseAsync(Reservation reservation, string seatEvent)
    {
        var keys = reservation.SeatIds.Select(s => HoldKeys.Hold(reservation.EventId, s))
            .Append(HoldKeys.Reservation(reservation.EventId, reservation.ReservationId))
            .Append(HoldKeys.UserHolds(reservation.EventId, reservation.UserId))
            .Append(HoldKeys.SeatLog(reservation.EventId))
            .Append(HoldKeys.ReservationRecord(reservation.EventId, reservation.ReservationId))
            .Append(HoldKeys.FanEvents(reservation.UserId))
            .Concat(HoldKeys.SeatIndexKeys(reservation.EventId))
            .Append(HoldKeys.Sold(reservation.EventId))
            .ToArray();
        var layout = await LayoutAsync(reservation.EventId);
        var released = (RedisResult[])(await Db.ScriptEvaluateAsync(HoldScripts.Release, keys,
            [reservation.ReservationId, reservation.SeatIds.Count, reservation.EventId, seatEvent, await KeysExpireAtAsync(reservation.EventId),
                layout.Positions(reservation.SeatIds)]))!;
        return released.Select(r => long.Parse((string)r!, CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>After the booking committed: the seats join the sold set (and the fan's booked seats) and their holds go.</summary>
    public Task MarkSoldAsync(Reservation reservation) => MarkSoldAsync([reservation]);

    /// <summary>The same for a writer's batch: one script call (and one "sold" announcement) per event.</summary>
    public Task MarkSoldAsync(IReadOnlyCollection<Reservation> reservations) =>
        Task.WhenAll(reservations.GroupBy(r => r.EventId).Select(async byEvent =>
        {
            var eventId = byEvent.Key;
            List<RedisKey> keys = [HoldKeys.Sold(eventId), HoldKeys.SeatLog(eventId), .. HoldKeys.SeatIndexKeys(eventId)];
            List<RedisValue> args = [eventId, byEvent.Count(), await KeysExpireAtAsync(eventId)];
            var layout = await LayoutAsync(eventId);
            foreach (var reservation in byEvent)
            {
                keys.AddRange(reservation.SeatIds.Select(s => HoldKeys.Hold(eventId, s)));
                keys.Add(HoldKeys.Booked(eventId, reservation.UserId));
                keys.Add(HoldKeys.Reservation(eventId, reservation.ReservationId));
                keys.Add(HoldKeys.UserHolds(eventId, reservation.UserId));
                keys.Add(HoldKeys.FanEvents(reservation.UserId));
                args.AddRange([reservation.ReservationId, reservation.SeatIds.Count, layout.Positions(reservation.SeatIds)]);
            }
            await Db.ScriptEvaluateAsync(HoldScripts.MarkSold, [.. keys], [.. args]);
        }));

    /// <summary>
    /// After a refund committed (its seats available in MySQL): the seats leave the sold set and the fan's booked seats,
    /// free to reserve at once, and are announced released.
    /// </summary>
    public async Task ReleaseSoldAsync(long eventId, string userId, IReadOnlyCollection<long> seatIds)
    {
        var layout = await LayoutAsync(eventId);
        RedisValue[] args = [eventId, await KeysExpireAtAsync(eventId), layout.Positions(seatIds), .. seatIds.Select(s => (RedisValue)s)];
        await Db.ScriptEvaluateAsync(HoldScripts.ReleaseSold,
            [HoldKeys.Sold(eventId), HoldKeys.Booked(eventId, userId), HoldKeys.SeatLog(eventId), .. HoldKeys.SeatIndexKeys(eventId)], args);
    }

    /// <summary>After a transfer committed: the seat counts towards the recipient's limit, no longer the sender's.</summary>
    public async Task MoveBookedAsync(long eventId, string fromUserId, string toUserId, long seatId) =>
        await Db.ScriptEvaluateAsync(HoldScripts.MoveBooked, [HoldKeys.Booked(eventId, fromUserId), HoldKeys.Booked(eventId, toUserId)],
            [seatId, await KeysExpireAtAsync(eventId)]);

    /// <summary>When the event's keys expire (a day after it ends; see <see cref="EventSale.KeyRetention"/>).</summary>
    private async Task<long> KeysExpireAtAsync(long eventId) =>
        (await _catalog.GetSaleAsync(eventId, [], CancellationToken.None))?.KeysExpireAtMilliseconds
        ?? (DateTimeOffset.UtcNow + EventSale.KeyRetention).ToUnixTimeMilliseconds();

    /// <summary>The seats among <paramref name="seatIds"/> that are held now, with the reservation holding each.</summary>
    public async Task<Dictionary<long, string>> HoldersAsync(long eventId, IReadOnlyCollection<long> seatIds)
    {
        var holders = new Dictionary<long, string>();
        foreach (var chunk in seatIds.Chunk(1_000))
        {
            var values = await Db.StringGetAsync(chunk.Select(s => HoldKeys.Hold(eventId, s)).ToArray());
            for (var i = 0; i < chunk.Length; i++)
            {
                if (values[i].HasValue)
                {
                    holders[chunk[i]] = values[i]!;
                }
            }
        }
        return holders;
    }

    // The sold set is a cache of MySQL, filled before the event's first hold and again whenever Redis lost it: the
    // reserve script itself finds the mark missing, so no reserve holds a sold seat after a Redis restart (a check
    // here, every 30 s per process, left that window open). Replicas that find it missing at once each load it.
    private async Task LoadSoldSeatsAsync(long eventId, long keysExpireAt)
    {
        // Sold seats and who bought them: the reserve script checks the first and counts the second against the
        // per-user limit. SADD is idempotent, so a booking committed meanwhile (MarkSold) cannot be counted twice.
        var buyers = await _catalog.BuyersAsync(eventId, CancellationToken.None);
        var batch = Db.CreateBatch();
        var writes = new List<Task>();
        var expiry = DateTimeOffset.FromUnixTimeMilliseconds(keysExpireAt).UtcDateTime;
        foreach (var byUser in buyers.GroupBy(b => b.Value, b => (RedisValue)b.Key))
        {
            var seats = byUser.ToArray();
            writes.Add(batch.SetAddAsync(HoldKeys.Sold(eventId), seats));
            writes.Add(batch.SetAddAsync(HoldKeys.Booked(eventId, byUser.Key), seats));
            writes.Add(batch.KeyExpireAsync(HoldKeys.Booked(eventId, byUser.Key), expiry));
        }
        writes.Add(batch.KeyExpireAsync(HoldKeys.Sold(eventId), expiry));
        batch.Execute();
        await Task.WhenAll(writes);
        await Db.StringSetAsync(HoldKeys.SoldLoaded(eventId), 1, expiry - DateTime.UtcNow);
    }

    private async Task<Reservation?> ReadAsync(RedisKey key, string reservationId, long eventId) =>
        Reservation.FromStored(reservationId, eventId, await Db.StringGetAsync(key));

    private static DateTimeOffset FromMilliseconds(RedisResult value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)value!, CultureInfo.InvariantCulture));
}
