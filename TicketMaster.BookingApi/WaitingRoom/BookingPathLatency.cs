using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace TicketMaster.BookingApi.WaitingRoom;

// The booking path's recent latency, for the admission rate: every reserve and confirm this replica answers is timed,
// and once a second the replica publishes its p95 of the last few seconds to Redis (one hash field, fresh or ignored),
// so the admission loop's replica reads every replica's and follows the worst.
public sealed class BookingPathLatency(IConnectionMultiplexer redis, ILogger<BookingPathLatency> logger) : BackgroundService
{
    private const int Capacity = 4_096;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PublishEvery = TimeSpan.FromSeconds(1);
    private static readonly RedisKey Published = "tm:wr:path-p95";

    private readonly string _replica = Guid.NewGuid().ToString("N");
    private readonly (long At, double Milliseconds)[] _samples = new (long, double)[Capacity];
    private int _next = -1;

    /// <summary>One reserve's or confirm's time. Lock-free: a sample torn by a concurrent reader only blurs one p95.</summary>
    public void Record(long startedTimestamp)
    {
        var now = Stopwatch.GetTimestamp();
        _samples[Interlocked.Increment(ref _next) & (Capacity - 1)] = (now, Stopwatch.GetElapsedTime(startedTimestamp, now).TotalMilliseconds);
    }

    /// <summary>This replica's p95 over the last few seconds; null when it served none.</summary>
    public double? LocalP95()
    {
        var since = Stopwatch.GetTimestamp() - (long)(Window.TotalSeconds * Stopwatch.Frequency);
        var recent = _samples.Where(s => s.At > since && s.At != 0).Select(s => s.Milliseconds).ToArray();
        if (recent.Length == 0)
        {
            return null;
        }
        Array.Sort(recent);
        return recent[(int)Math.Ceiling(recent.Length * 0.95) - 1];
    }

    /// <summary>The worst p95 any replica published within the last few seconds; null when none served.</summary>
    public async Task<double?> WorstP95Async()
    {
        var fresh = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)(3 * PublishEvery.TotalMilliseconds);
        double? worst = null;
        var db = redis.GetDatabase();
        foreach (var entry in await db.HashGetAllAsync(Published))
        {
            if (((string?)entry.Value)?.Split('|') is [var p95, var at] && long.TryParse(at, CultureInfo.InvariantCulture, out var published)
                && published >= fresh && double.TryParse(p95, CultureInfo.InvariantCulture, out var milliseconds))
            {
                worst = Math.Max(worst ?? 0, milliseconds);
            }
            else
            {
                await db.HashDeleteAsync(Published, entry.Name); // a replica that stopped: its field goes with it
            }
        }
        return worst;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PublishEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            using var quiet = TicketMaster.ServiceDefaults.Telemetry.BackgroundTracing.Quiet();
            try
            {
                var db = redis.GetDatabase();
                if (LocalP95() is { } p95)
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    await db.HashSetAsync(Published, _replica, string.Create(CultureInfo.InvariantCulture, $"{p95:F1}|{now}"));
                    // Replicas come and go: the hash lives only while someone publishes.
                    await db.KeyExpireAsync(Published, TimeSpan.FromSeconds(30));
                }
                else
                {
                    await db.HashDeleteAsync(Published, _replica);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogDebug(ex, "Could not publish the booking path's latency");
            }
        }
    }
}
