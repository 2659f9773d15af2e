using System.Diagnostics;
using System.Net;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Bookings;

[Collection(AppHostCollection.Name)]
public sealed class CancellationTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_cancelled_event_stops_selling_within_a_second_and_a_hold_taken_before_is_released_uncharged()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3);
        using var early = sale.Fan("held-before-cancel");
        using var buyer = sale.Fan("bought-before-cancel");
        using var late = sale.Fan("came-after-cancel");
        using var gate = sale.Fan("cancel-gate", "staff");
        await sale.AssignStaffAsync("cancel-gate");
        var held = await BookingSetup.ReservationIdAsync(early, sale.EventId, sale.SeatIds[0]);
        var bought = await (await BookingSetup.ConfirmAsync(buyer, await BookingSetup.ReservationIdAsync(buyer, sale.EventId, sale.SeatIds[1]))).ReadJsonAsync();
        var code = bought.GetProperty("check_in_details").GetProperty("tickets")[0].GetProperty("qr_code").GetString()!;

        var cancel = await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { status = "cancelled" });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var sinceCancel = Stopwatch.StartNew();

        // Every replica's cached sale facts are at most 1 s old: one second after the change, no reserve succeeds.
        await Task.Delay(TimeSpan.FromSeconds(1) - sinceCancel.Elapsed);
        var refused = await (await BookingSetup.ReserveAsync(late, sale.EventId, sale.SeatIds[2])).AssertProblemAsync(409);
        Assert.Equal("cancelled", refused.GetProperty("event_status").GetString());

        // The hold from before: refused before any payment is authorized, and its seats let go.
        var confirm = await (await BookingSetup.ConfirmAsync(early, held)).AssertProblemAsync(409);
        Assert.Equal("cancelled", confirm.GetProperty("event_status").GetString());
        Assert.Empty(fixture.Stripe.IntentsOf(held));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(HoldKeys.Hold(sale.EventId, sale.SeatIds[0])));

        // A ticket of a cancelled event admits no one, and a cancelled event stays cancelled.
        var checkIn = await (await gate.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })).AssertProblemAsync(409);
        Assert.Equal("cancelled", checkIn.GetProperty("event_status").GetString());
        await (await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { status = "scheduled" })).AssertProblemAsync(409);
        await sale.AssertSettledAsync();
    }

    [Fact]
    public async Task Search_leaves_cancelled_events_out_unless_asked_and_every_item_names_its_status()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Cancel Hall " + catalog.Tag, "Hull", ("Floor", 1, 2));
        var kept = (await catalog.EventAsync(venue, $"Kept {catalog.Tag}", DateTimeOffset.UtcNow.AddDays(20))).Id("event_id");
        var called = (await catalog.EventAsync(venue, $"Called off {catalog.Tag}", DateTimeOffset.UtcNow.AddDays(21))).Id("event_id");
        using var http = await fixture.ClientAsync("eventsapi");
        await SearchWait.UntilTotalAsync(http, $"q={catalog.Tag}", 2);

        Assert.Equal(HttpStatusCode.OK, (await catalog.Http.PatchJsonAsync($"/v1/events/{called}", new { status = "cancelled" })).StatusCode);

        var found = await SearchWait.UntilTotalAsync(http, $"q={catalog.Tag}", 1);
        Assert.Equal([kept], found.EventIds());
        Assert.Equal("scheduled", found.GetProperty("items")[0].GetProperty("status").GetString());
        var all = await http.GetJsonAsync($"/v1/events/search?q={catalog.Tag}&include_cancelled=true");
        Assert.Equal(new Dictionary<long, string> { [kept] = "scheduled", [called] = "cancelled" },
            all.GetProperty("items").EnumerateArray().ToDictionary(i => i.Id("event_id"), i => i.GetProperty("status").GetString()!));
        await (await http.GetAsync($"/v1/events/search?q={catalog.Tag}&include_cancelled=maybe")).AssertProblemAsync(400);
    }
}
