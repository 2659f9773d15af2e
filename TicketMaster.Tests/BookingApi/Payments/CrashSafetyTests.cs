using System.Diagnostics;
using System.Net;
using MySqlConnector;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Payments;

[Collection(AppHostCollection.Name)]
public sealed class CrashSafetyTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Killing_BookingApi_in_the_middle_of_confirms_leaves_no_charge_without_a_ticket_and_no_ticket_without_a_charge()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 40);
        var fans = Enumerable.Range(0, 40).Select(i => sale.Fan($"crash-fan-{i}")).ToList();
        // Aspire's proxy may hold a request to a dead process open: give up on it quickly.
        fans.ForEach(f => f.Timeout = TimeSpan.FromSeconds(5));
        var reservations = new List<string>();
        for (var i = 0; i < fans.Count; i++)
        {
            var reserved = await BookingSetup.ReserveAsync(fans[i], sale.EventId, sale.SeatIds[i]);
            reservations.Add((await reserved.ReadJsonAsync()).GetProperty("reservation_id").GetString()!);
        }

        // Confirms spread over a second, and the process dies a third of the way in without any chance to
        // finish the ones in flight (SIGKILL); the later ones find it gone.
        var confirms = fans.Select((fan, i) => Task.Run(async () =>
        {
            await Task.Delay(i * 25);
            try
            {
                return (await BookingSetup.ConfirmAsync(fan, reservations[i])).StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return (HttpStatusCode)0;
            }
        })).ToList();
        await Task.Delay(300);
        fixture.Kill("bookingapi");
        var outcomes = await Task.WhenAll(confirms);
        await fixture.StartAgainAsync("bookingapi");

        // The restarted BookingApi's reconciler settles every payment the dead process left behind.
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        var clock = Stopwatch.StartNew();
        long unsettled;
        do
        {
            await Task.Delay(500);
            await using var pending = new MySqlCommand(
                "SELECT COUNT(*) FROM payment WHERE event_id = @e AND status IN ('authorizing', 'authorized')", db);
            pending.Parameters.AddWithValue("@e", sale.EventId);
            unsettled = Convert.ToInt64(await pending.ExecuteScalarAsync());
        }
        while (unsettled > 0 && clock.Elapsed < TimeSpan.FromSeconds(45));

        Assert.True(unsettled == 0, $"{unsettled} payments were never settled; outcomes: {string.Join(",", outcomes)}");
        Assert.Contains(outcomes, o => o != HttpStatusCode.Created); // the kill really interrupted something
        await sale.AssertInvariantsAsync();
        fans.ForEach(f => f.Dispose());
    }
}
