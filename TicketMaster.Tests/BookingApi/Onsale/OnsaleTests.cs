using TicketMaster.Onsale;
using TicketMaster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TicketMaster.Tests.BookingApi.Onsale;

// The suite's small onsale (bench/ runs the big ones): the same simulation, against the shared AppHost.
[Collection(AppHostCollection.Name)]
public sealed class OnsaleTests(AppHostFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(OnsaleModes.Best)]
    [InlineData(OnsaleModes.Pick)]
    public async Task A_small_onsale_sells_no_seat_twice_strands_no_hold_and_leaves_no_unmatched_charge_or_ticket(string mode)
    {
        var target = new OnsaleTarget(service => fixture.App.CreateHttpClient(service), AppHostFixture.JwtSigningKey,
            await fixture.GetConnectionStringAsync("booking"));
        var options = new OnsaleOptions(Seats: 150, Users: 500)
        {
            Concurrency = 24, ArrivalsPerSecond = 500, AdmissionsPerSecond = 80, PreSale = TimeSpan.FromSeconds(2),
            HoldTtl = AppHostFixture.HoldTtl, Settle = TimeSpan.FromSeconds(5), SseClients = 2, Mode = mode,
        };
        using var log = new StringWriter();

        var report = await new OnsaleSimulation(target, options, log).RunAsync();

        output.WriteLine(log.ToString());
        output.WriteLine(report.Line);
        Assert.Contains("double_sold=0 stranded_holds=0 charged_without_ticket=0 tickets_without_charge=0", report.Line);
        Assert.Equal(0, report.InvariantViolations);
        Assert.True(report.Sold > options.Seats / 2, $"only {report.Sold} of {options.Seats} seats sold");
        Assert.True(report.ConfirmsPerSecond > 0 && report.ReservesPerSecond > 0);
        Assert.Contains($"mode={mode} ", report.Line);
        // 95 % sold has a time whenever 95 % were sold.
        Assert.True(report.Sold < Math.Ceiling(options.Seats * 0.95) || report.Sold95Seconds > 0, report.Line);
        Assert.Matches(@"conflicts_per_seat=\d+\.\d{3}", report.Line);
    }
}
