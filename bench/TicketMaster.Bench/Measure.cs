using System.Diagnostics;

namespace TicketMaster.Bench;

public static class Measure
{
    public sealed record Throughput(double RequestsPerSecond, long Requests, long Errors, double P50Ms, double P99Ms);

    /// <summary>Closed-loop load: <paramref name="concurrency"/> loops send GET <paramref name="path"/> for <paramref name="duration"/>.</summary>
    public static async Task<Throughput> ThroughputAsync(HttpClient http, string path, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new Throughput(all.Count / clock.Elapsed.TotalSeconds, all.Count, errors, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];

    public static string Ms(double value) => $"{value:F1} ms";
}
