using TicketMaster.Onsale;
using TicketMaster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TicketMaster.Tests.BookingApi.Onsale;

// The suite's small onsale (bench/ runs the big ones): the same simulation, against the shared AppHost.
[Collection(AppHostCollection.Name)]
public sealed class OnsaleTests(AppHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_small_onsale_sells_no_seat_twice_strands_no_hold_and_leaves_no_unmatched_charge_or_ticket()
    {
        var target = new OnsaleTarget(service => fixture.App.CreateHttpClient(service), AppHostFixture.JwtSigningKey,
            await fixture.GetConnectionStringAsync("booking"));
        var options = new OnsaleOptions(Seats: 150, Users: 500)
        {
            Concurrency = 24, ArrivalsPerSecond = 500, AdmissionsPerSecond = 80, PreSale = TimeSpan.FromSeconds(2),
            HoldTtl = AppHostFixture.HoldTtl, Settle = TimeSpan.FromSeconds(5), SseClients = 2,
        };
        using var log = new StringWriter();

        var report = await new OnsaleSimulation(target, options, log).RunAsync();

        output.WriteLine(log.ToString());
        output.WriteLine(report.Line);
        Assert.Contains("double_sold=0 stranded_holds=0 charged_without_ticket=0 tickets_without_charge=0", report.Line);
        Assert.Equal(0, report.InvariantViolations);
        Assert.True(report.Sold > options.Seats / 2, $"only {report.Sold} of {options.Seats} seats sold");
        Assert.True(report.ConfirmsPerSecond > 0 && report.ReservesPerSecond > 0);
    }
}
