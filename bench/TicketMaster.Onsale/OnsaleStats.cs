using System.Diagnostics;

namespace TicketMaster.Onsale;

/// <summary>One second of the run, for the progress line and the plot.</summary>
public sealed record OnsaleSample(double Seconds, long Joined, long Admitted, int Held, int Sold, double ReservesPerSecond,
    double ConfirmsPerSecond, double P99Ms);

// Counters and latencies of the fans' reserve and confirm requests, with a per-second series.
public sealed class OnsaleStats
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<double> _all = [];
    private readonly List<double> _reserves = [];
    private readonly List<double> _confirms = [];
    private readonly List<double> _waits = [];
    private List<double> _window = [];
    private long _reserved, _confirmed, _reservedBefore, _confirmedBefore;
    private double _windowStart;

    public long Joined;
    public long Polls;
    public long Admitted;
    public long Conflicts;
    public long Declined;
    public long Abandoned;
    public long Accepted202;
    public long Unexpected;
    public List<OnsaleSample> Samples { get; } = [];

    public double Seconds => _clock.Elapsed.TotalSeconds;
    public long Reserved => Interlocked.Read(ref _reserved);
    public long Confirmed => Interlocked.Read(ref _confirmed);

    public void Record(double milliseconds, bool reserve, bool succeeded)
    {
        lock (_all)
        {
            _all.Add(milliseconds);
            (reserve ? _reserves : _confirms).Add(milliseconds);
            _window.Add(milliseconds);
        }
        if (succeeded)
        {
            Interlocked.Increment(ref reserve ? ref _reserved : ref _confirmed);
        }
    }

    /// <summary>A reserve waited this long for returned seats (apart from its latency, recorded as usual).</summary>
    public void RecordWait(double milliseconds)
    {
        lock (_all)
        {
            _waits.Add(milliseconds);
        }
    }

    /// <summary>Reserves that waited for returned seats, and their median and p99 wait.</summary>
    public (int Count, double P50Ms, double P99Ms) Waits()
    {
        lock (_all)
        {
            var sorted = _waits.Order().ToList();
            return (sorted.Count, Percentile(sorted, 0.5), Percentile(sorted, 0.99));
        }
    }

    public OnsaleSample Sample(int held, int sold)
    {
        lock (_all)
        {
            var now = Seconds;
            var elapsed = Math.Max(now - _windowStart, 0.001);
            var sorted = _window.Order().ToList();
            var sample = new OnsaleSample(now, Interlocked.Read(ref Joined), Interlocked.Read(ref Admitted), held, sold,
                (Reserved - _reservedBefore) / elapsed, (Confirmed - _confirmedBefore) / elapsed, Percentile(sorted, 0.99));
            (_window, _windowStart, _reservedBefore, _confirmedBefore) = ([], now, Reserved, Confirmed);
            Samples.Add(sample);
            return sample;
        }
    }

    /// <summary>The p99 of every reserve and confirm, or of one of them.</summary>
    public double P99Ms(bool? reserve = null)
    {
        lock (_all)
        {
            return Percentile((reserve switch { true => _reserves, false => _confirms, null => _all }).Order().ToList(), 0.99);
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];
}

/// <summary>The audit at the end: the line the issue asks for, and what it is made of.</summary>
/// <param name="Sold95Seconds">From the opening until 95 % of the seats were sold (null: never).</param>
/// <param name="Conflicts">Reserve answers 409 (seats taken, or not as many side by side).</param>
public sealed record OnsaleReport(int Seats, long Sold, long DoubleSold, long StrandedHolds, long ChargedWithoutTicket, long TicketsWithoutCharge,
    double? SelloutSeconds, double ReservesPerSecond, double ConfirmsPerSecond, double P99Ms, int InvariantViolations, IReadOnlyList<OnsaleSample> Samples,
    string Mode = OnsaleModes.Pick, double? Sold95Seconds = null, long Conflicts = 0, double ReserveP99Ms = 0, double ConfirmP99Ms = 0,
    (int Count, double P50Ms, double P99Ms) ReturnsWaits = default)
{
    public double ConflictsPerSeat => Sold == 0 ? Conflicts : (double)Conflicts / Sold;

    public string Line =>
        $"onsale: mode={Mode} seats={Seats} sold={Sold} double_sold={DoubleSold} stranded_holds={StrandedHolds} charged_without_ticket={ChargedWithoutTicket} "
        + $"tickets_without_charge={TicketsWithoutCharge} sellout_s={Seconds(SelloutSeconds)} sold95_s={Seconds(Sold95Seconds)} "
        + $"reserve_rps={ReservesPerSecond:F0} confirm_rps={ConfirmsPerSecond:F0} p99_ms={P99Ms:F0} reserve_p99_ms={ReserveP99Ms:F0} "
        + $"confirm_p99_ms={ConfirmP99Ms:F0} conflicts_per_seat={ConflictsPerSeat:F3} returns_waits={ReturnsWaits.Count} "
        + $"returns_wait_p50_ms={ReturnsWaits.P50Ms:F0} returns_wait_p99_ms={ReturnsWaits.P99Ms:F0}";

    private static string Seconds(double? seconds) => seconds is { } s ? s.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "none";
}
