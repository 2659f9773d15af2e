using System.Net;
using System.Text.Json;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Reservations;

// In a sale through a waiting room a hold lasts Booking:HoldPresence (AppHostFixture.HoldPresence here) unless the fan's
// checkout keeps it alive, up to the event's hold time: seats a fan walked away from come back within seconds.
[Collection(AppHostCollection.Name)]
public sealed class HoldPresenceTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_hot_sales_hold_lasts_while_its_checkout_keeps_it_alive_and_comes_back_soon_after_it_stops()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4, waitingRoom: true, holdSeconds: 120);
        using var present = sale.Fan("presence-at-checkout");
        using var gone = sale.Fan("presence-walked-away");
        var kept = await ReserveAsync(sale, present, 2);
        var left = await ReserveAsync(sale, gone, 2);
        var reservedAt = DateTimeOffset.UtcNow;
        var limit = kept.GetProperty("keep_alive_until").GetDateTimeOffset();
        Assert.InRange(limit, reservedAt.AddSeconds(110), reservedAt.AddSeconds(125));
        Assert.InRange(kept.GetProperty("expires_at").GetDateTimeOffset(), reservedAt, reservedAt + AppHostFixture.HoldPresence + TimeSpan.FromSeconds(2));
        var keptId = kept.GetProperty("reservation_id").GetString()!;
        var leftId = left.GetProperty("reservation_id").GetString()!;

        // Kept alive for three times the presence: it stays, each keep-alive moving its end on, never its limit.
        var keepUntil = DateTimeOffset.UtcNow + AppHostFixture.HoldPresence * 3;
        var lastEnd = DateTimeOffset.MinValue;
        while (DateTimeOffset.UtcNow < keepUntil)
        {
            var alive = await present.PostJsonAsync($"/v1/booking/reservations/{keptId}/keep-alive", new { });
            Assert.True(alive.StatusCode == HttpStatusCode.OK, await alive.Content.ReadAsStringAsync());
            var body = await alive.ReadJsonAsync();
            Assert.Equal(limit, body.GetProperty("keep_alive_until").GetDateTimeOffset());
            var end = body.GetProperty("expires_at").GetDateTimeOffset();
            Assert.True(end >= lastEnd, $"{end} before {lastEnd}");
            lastEnd = end;
            await Task.Delay(AppHostFixture.HoldPresence / 3);
        }
        Assert.Equal(HttpStatusCode.OK, (await present.GetAsync($"/v1/booking/reservations/{keptId}")).StatusCode);
        // The one nobody kept alive came back after its presence, long before the event's two-minute hold.
        Assert.Equal(HttpStatusCode.Gone, (await gone.GetAsync($"/v1/booking/reservations/{leftId}")).StatusCode);
        await (await gone.PostJsonAsync($"/v1/booking/reservations/{leftId}/keep-alive", new { })).AssertProblemAsync(410);
        var map = await fixture.App.CreateHttpClient("bookingapi").GetJsonAsync($"/v1/booking/events/{sale.EventId}/seats");
        var leftSeats = left.GetProperty("seat_ids").EnumerateArray().Select(s => s.GetInt64()).ToHashSet();
        Assert.All(map.GetProperty("seats").EnumerateArray().Where(s => leftSeats.Contains(s.Id("seat_id"))),
            s => Assert.Equal("available", s.GetProperty("status").GetString()));
        // Only its own fan keeps a hold alive.
        await (await gone.PostJsonAsync($"/v1/booking/reservations/{keptId}/keep-alive", new { })).AssertProblemAsync(404);

        // The kept hold is bought as any other.
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(present, keptId)).StatusCode);
        await (await present.PostJsonAsync($"/v1/booking/reservations/{keptId}/keep-alive", new { })).AssertProblemAsync(410);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_hold_outside_a_waiting_room_lasts_its_hold_time_and_a_keep_alive_changes_nothing()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2, holdSeconds: 120);
        using var fan = sale.Fan("presence-plain-sale");
        var reserved = await (await BookingSetup.ReserveBestAsync(fan, sale.EventId, 1)).ReadJsonAsync();
        Assert.Equal(JsonValueKind.Null, reserved.TryGetProperty("keep_alive_until", out var until) ? until.ValueKind : JsonValueKind.Null);
        var expires = reserved.GetProperty("expires_at").GetDateTimeOffset();
        Assert.True(expires > DateTimeOffset.UtcNow.AddSeconds(100), $"{expires}");
        var alive = await (await fan.PostJsonAsync($"/v1/booking/reservations/{reserved.GetProperty("reservation_id").GetString()}/keep-alive", new { }))
            .ReadJsonAsync();
        Assert.Equal(expires, alive.GetProperty("expires_at").GetDateTimeOffset());
        await sale.AssertInvariantsAsync();
    }

    private static async Task<JsonElement> ReserveAsync(BookingSetup sale, HttpClient fan, int quantity)
    {
        var pass = await sale.QueuePassAsync(fan);
        var response = await fan.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId, quantity, queue_pass = pass });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }
}
