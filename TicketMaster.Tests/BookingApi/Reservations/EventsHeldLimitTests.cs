using System.Net;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Reservations;

// Booking:MaxEventsHeldPerUser (3): a fan holds seats in at most three events at once, so no one account corners
// several hot sales. Bought tickets do not count, nor do released holds.
[Collection(AppHostCollection.Name)]
public sealed class EventsHeldLimitTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_fan_holding_seats_in_three_events_cannot_hold_in_a_fourth_until_one_is_released_or_bought()
    {
        var sales = await SalesAsync(5);
        using var fan = sales[0].Fan("many-events-fan");
        var held = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            held.Add(await BookingSetup.ReservationIdAsync(fan, sales[i].EventId, sales[i].SeatIds[0]));
        }
        // Another seat of an event already held is fine.
        await BookingSetup.ReservationIdAsync(fan, sales[0].EventId, sales[0].SeatIds[1]);

        var refused = await (await BookingSetup.ReserveAsync(fan, sales[3].EventId, sales[3].SeatIds[0])).AssertProblemAsync(422);

        Assert.Equal(3, refused.GetProperty("max_events_held").GetInt32());
        Assert.Equal(sales.Take(3).Select(s => s.EventId).Order(), refused.GetProperty("held_event_ids").EnumerateArray().Select(e => e.GetInt64()));

        // Released: event 1 stops counting.
        Assert.Equal(HttpStatusCode.NoContent, (await fan.DeleteAsync($"/v1/booking/reservations/{held[1]}")).StatusCode);
        await Eventually.TrueAsync(async () => (await BookingSetup.ReserveAsync(fan, sales[3].EventId, sales[3].SeatIds[0])).StatusCode == HttpStatusCode.Created,
            TimeSpan.FromSeconds(5), "a released event frees its place");
        // Bought: event 2's seats are tickets now, not holds.
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(fan, held[2])).StatusCode);
        await Eventually.TrueAsync(async () => (await BookingSetup.ReserveAsync(fan, sales[4].EventId, sales[4].SeatIds[0])).StatusCode == HttpStatusCode.Created,
            TimeSpan.FromSeconds(10), "a bought event frees its place");
        await (await BookingSetup.ReserveAsync(fan, sales[1].EventId, sales[1].SeatIds[1])).AssertProblemAsync(422);

        foreach (var sale in sales)
        {
            await sale.AssertInvariantsAsync();
        }
    }

    [Fact]
    public async Task Concurrent_reserves_in_six_events_hold_in_exactly_three()
    {
        var sales = await SalesAsync(6);
        using var fan = sales[0].Fan("racing-events-fan");

        var responses = await Task.WhenAll(sales.Select(s => BookingSetup.ReserveAsync(fan, s.EventId, s.SeatIds[0])));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity));
        foreach (var sale in sales)
        {
            await sale.AssertInvariantsAsync();
        }
    }

    private async Task<List<BookingSetup>> SalesAsync(int count)
    {
        var organizer = await CatalogSetup.CreateAsync(fixture);
        var sales = new List<BookingSetup>();
        for (var i = 0; i < count; i++)
        {
            sales.Add(await BookingSetup.CreateAsync(fixture, seats: 2, organizer: organizer));
        }
        return sales;
    }
}
