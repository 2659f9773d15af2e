using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;

namespace TicketMaster.BookingApi.Seats;

// Redis expires a key in time only when its active expiry cycle samples it, and that cycle stops early while most keys
// it samples are far from their TTL (the day-long reservation records, for one): a lapsed hold could stay unannounced
// for tens of seconds. Touching a key past its TTL makes Redis expire it there and then, with the same keyspace
// notification HoldExpiryListener hears. So every replica remembers the holds it made and touches each just after it
// ends; a hold released or sold meanwhile is a missing key, which costs nothing.
public sealed class DueHoldSweeper(IConnectionMultiplexer redis, ILogger<DueHoldSweeper> logger) : BackgroundService
{
    /// <summary>Most seats remembered; past it, new holds are left to Redis' own expiry cycle.</summary>
    public const int MaxSeats = 250_000;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    /// <summary>How long after a hold's end it is touched again when the first touch found it still there.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    private sealed record Due(RedisKey[] Keys, bool Rechecked);

    private readonly PriorityQueue<Due, long> _due = new();
    private readonly Lock _lock = new();
    private int _seats;

    public void Track(long eventId, IReadOnlyList<long> seatIds, DateTimeOffset endsAt)
    {
        lock (_lock)
        {
            if (_seats + seatIds.Count > MaxSeats)
            {
                return;
            }
            _seats += seatIds.Count;
            _due.Enqueue(new Due(seatIds.Select(seat => HoldKeys.Hold(eventId, seat)).ToArray(), false),
                endsAt.ToUnixTimeMilliseconds());
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            using var quiet = TicketMaster.ServiceDefaults.Telemetry.BackgroundTracing.Quiet();
            try
            {
                await SweepAsync();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Could not touch lapsed holds; Redis' own expiry cycle announces them");
            }
        }
    }

    private async Task SweepAsync()
    {
        var due = TakeDue(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (due.Count == 0)
        {
            return;
        }
        var db = redis.GetDatabase();
        // One EXISTS per reservation: its keys share the event's hash tag, so one slot.
        var counts = await Task.WhenAll(due.Select(d => db.KeyExistsAsync(d.Keys)));
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < due.Count; i++)
        {
            // Still there: this clock ran ahead of Redis', or the seat was held again. Once more, a second later.
            if (counts[i] > 0 && !due[i].Rechecked)
            {
                lock (_lock)
                {
                    _seats += due[i].Keys.Length;
                    _due.Enqueue(due[i] with { Rechecked = true }, (now + Recheck).ToUnixTimeMilliseconds());
                }
            }
        }
    }

    private List<Due> TakeDue(long nowMilliseconds)
    {
        var due = new List<Due>();
        lock (_lock)
        {
            while (due.Count < 1_000 && _due.TryPeek(out var next, out var endsAt) && endsAt < nowMilliseconds)
            {
                _due.Dequeue();
                _seats -= next.Keys.Length;
                due.Add(next);
            }
        }
        return due;
    }
}
