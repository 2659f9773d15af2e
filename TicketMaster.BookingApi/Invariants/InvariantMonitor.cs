using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.Invariants;

// Exports each active sale's invariant check as the OpenTelemetry gauge ticketmaster.booking.invariant_violations
// (tag event_id; it must stay 0) and keeps the latest counts. An event is watched for ten minutes after its last
// reserve in any replica: replicas note their events in a Redis sorted set, and only the holder of a Redis lease
// checks them (a check reads the sold set from MySQL and the holds of the sold seats — with N replicas each doing
// it, a 50,000-seat sale would be scanned N times every interval). Only the holder exports the gauge.
public sealed class InvariantMonitor : BackgroundService
{
    private static readonly TimeSpan WatchFor = TimeSpan.FromMinutes(10);
    // A replica notes an event in Redis at most this often (reserve calls Watch on every request).
    private static readonly TimeSpan NoteEvery = TimeSpan.FromSeconds(30);
    public static readonly RedisKey WatchedKey = "tm:invariants:watched";
    public static readonly RedisKey LeaderKey = "tm:invariants:leader";

    private readonly ConcurrentDictionary<long, DateTime> _noted = new();
    private readonly ConcurrentDictionary<long, int> _violations = new();
    private readonly IConnectionMultiplexer _redis;
    private readonly SaleInvariants _invariants;
    private readonly IOptions<BookingOptions> _options;
    private readonly ILogger<InvariantMonitor> _logger;
    private readonly Lease _lease;

    public InvariantMonitor(IConnectionMultiplexer redis, SaleInvariants invariants, IMeterFactory meters, IOptions<BookingOptions> options,
        ILogger<InvariantMonitor> logger)
    {
        _redis = redis;
        _invariants = invariants;
        _options = options;
        _logger = logger;
        // Three intervals: a holder that stops checking hands over within half a minute (at the default 10 s).
        _lease = new Lease(redis, LeaderKey, options.Value.InvariantCheckInterval * 3);
        meters.Create("TicketMaster").CreateObservableGauge("ticketmaster.booking.invariant_violations",
            () => _violations.Select(v => new Measurement<int>(v.Value, new KeyValuePair<string, object?>("event_id", v.Key))),
            unit: "{violation}", description: "Seats sold twice, held beyond capacity, or held by one fan while sold to another, per event");
    }

    public void Watch(long eventId)
    {
        var now = DateTime.UtcNow;
        if (_noted.TryGetValue(eventId, out var noted) && now - noted < NoteEvery)
        {
            return;
        }
        _noted[eventId] = now;
        // Fire and forget: the reserve does not wait for bookkeeping.
        _redis.GetDatabase().SortedSetAdd(WatchedKey, eventId, new DateTimeOffset(now).ToUnixTimeMilliseconds(), CommandFlags.FireAndForget);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.InvariantCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // This replica's own notes: an event not reserved here for the watch period is forgotten.
            foreach (var (eventId, noted) in _noted)
            {
                if (DateTime.UtcNow - noted > WatchFor)
                {
                    _noted.TryRemove(eventId, out _);
                }
            }
            try
            {
                // Every ten seconds on every replica: not traced. A violation is logged as an error, with its report.
                using var quiet = BackgroundTracing.Quiet();
                if (!await _lease.HoldAsync())
                {
                    _violations.Clear();
                    continue;
                }
                var db = _redis.GetDatabase();
                var since = DateTimeOffset.UtcNow.Subtract(WatchFor).ToUnixTimeMilliseconds();
                await db.SortedSetRemoveRangeByScoreAsync(WatchedKey, double.NegativeInfinity, since, Exclude.Stop);
                var watched = (await db.SortedSetRangeByRankAsync(WatchedKey)).Select(e => (long)e).ToHashSet();
                foreach (var gone in _violations.Keys.Where(e => !watched.Contains(e)))
                {
                    _violations.TryRemove(gone, out _);
                }
                foreach (var eventId in watched)
                {
                    await CheckAsync(eventId, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // (SE.Redis timeouts are TimeoutExceptions; either escaping would stop the service.)
                _logger.LogWarning(ex, "Invariant monitor could not reach Redis; trying again next interval");
            }
        }
    }

    private async Task CheckAsync(long eventId, CancellationToken stoppingToken)
    {
        try
        {
            if (await _invariants.ViolationsAsync(eventId, stoppingToken) is { } violations)
            {
                _violations[eventId] = violations;
                if (violations > 0)
                {
                    // Rare by design: the whole report, every hold counted, for whoever reads the log.
                    _logger.LogError("Booking invariants violated for event {EventId}: {Report}", eventId,
                        await _invariants.CheckAsync(eventId, stoppingToken));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Invariant check of event {EventId} failed", eventId);
        }
    }
}
