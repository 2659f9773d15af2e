using Aspire.Hosting.Testing;
using TicketMaster.Onsale;

namespace TicketMaster.Bench;

// ./bench.sh onsale --seats N --users M: the whole topology, started like the tests start it, with a hold TTL
// short enough that abandoned holds lapse within the run.
public static class OnsaleBench
{
    public static async Task<int> RunAsync(OnsaleOptions options, string writePath, string plotPath)
    {
        // The fans reach BookingApi directly, not through the orchestrator's proxy: that proxy is a local-run artefact
        // (a deployment's ingress runs on its own machines) and took a tenth of the two cores here.
        await using var host = await BenchHost.StartAsync("--TicketMaster:BenchDirectEndpoints=true",
            $"--TicketMaster:Booking:HoldTtl={options.HoldTtl}", "--TicketMaster:Booking:ReconcileAfter=00:00:05",
            "--TicketMaster:Booking:ReconcileInterval=00:00:01", $"--TicketMaster:Booking:WritePath={writePath}",
            $"--TicketMaster:Booking:WaitingRoom:PassTtl={options.HoldTtl * 4}");
        var target = new OnsaleTarget(service => host.Client(service), BenchHost.SigningKey,
            await host.App.GetConnectionStringAsync("booking") ?? throw new InvalidOperationException("no mysql connection string"));

        // The baselines of the same run, as in the booking benchmark: BookingApi's hello-world endpoint, and raw
        // MySQL transactions doing a confirm's conditional UPDATE + INSERTs.
        using (var http = host.Client("bookingapi"))
        {
            var hello = await Measure.ThroughputAsync(http, "/bench/hello", options.Concurrency, TimeSpan.FromSeconds(5));
            Console.WriteLine($"baseline hello-world (BookingApi): {hello.RequestsPerSecond:F0} req/s");
        }
        var raw = await BookingBench.RawBaselineAsync(host, 32, TimeSpan.FromSeconds(5));
        Console.WriteLine($"baseline raw MySQL booking transactions: {raw.PerSecond:F0} tx/s");

        var report = await new OnsaleSimulation(target, options with { Settle = TimeSpan.FromSeconds(7) }, Console.Out).RunAsync();
        OnsalePlot.Save(report, plotPath);
        Console.WriteLine($"plot: {Path.GetFullPath(plotPath)}  (write path {writePath}, invariant violations {report.InvariantViolations})");
        Console.WriteLine(report.Line);
        return report.DoubleSold + report.StrandedHolds + report.ChargedWithoutTicket + report.TicketsWithoutCharge + report.InvariantViolations == 0 ? 0 : 1;
    }
}
