using System.Diagnostics;
using System.Text.Json;
using TicketMaster.Onsale;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Sales;

// The owner watches the sale: sold, held, available, revenue, refunds and check-ins, by section and per minute, live.
[Collection(AppHostCollection.Name)]
public sealed class SalesTests(AppHostFixture fixture)
{
    // The report is at most 400 ms old and the stream looks every 250 ms; the bound leaves room for a busy machine.
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(2);

    private static async Task<JsonElement> NextSalesAsync(SseReader stream, Func<JsonElement, bool> shows, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Live)
        {
            var message = await stream.NextEventAsync(Live - clock.Elapsed);
            using var data = JsonDocument.Parse(message.Data);
            if (message.Type == "sales" && shows(data.RootElement))
            {
                return data.RootElement.Clone();
            }
        }
        throw new Xunit.Sdk.XunitException($"the sales stream did not show {what} within {Live.TotalSeconds} s");
    }

    [Fact]
    public async Task The_owner_watches_holds_sales_and_refunds_tick_on_the_sales_stream_by_section()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4, refundableUntil: DateTimeOffset.UtcNow.AddDays(2), refundFeeCents: 300);
        using var owner = sale.Owner();
        using var fan = sale.Fan("sales-fan");
        await using var stream = await SseReader.OpenAsync(owner, $"/v1/booking/events/{sale.EventId}/sales/stream");
        var opening = await NextSalesAsync(stream, _ => true, "the opening summary");
        Assert.Equal((4, 0, 0, 4), (opening.GetProperty("capacity").GetInt32(), opening.GetProperty("sold").GetInt32(),
            opening.GetProperty("held").GetInt32(), opening.GetProperty("available").GetInt32()));

        var reservation = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0], sale.SeatIds[1]);
        await NextSalesAsync(stream, s => s.GetProperty("held").GetInt32() == 2, "two held seats");

        var booking = await (await BookingSetup.ConfirmAsync(fan, reservation)).ReadJsonAsync();
        var sold = await NextSalesAsync(stream, s => s.GetProperty("sold").GetInt32() == 2, "two sold seats");
        Assert.Equal(0, sold.GetProperty("held").GetInt32());
        Assert.Equal(5000, sold.GetProperty("revenue_cents").GetInt64());
        var floor = Assert.Single(sold.GetProperty("sections").EnumerateArray());
        Assert.Equal((2, 2, 5000L), (floor.GetProperty("sold").GetInt32(), floor.GetProperty("available").GetInt32(), floor.GetProperty("revenue_cents").GetInt64()));
        Assert.Equal(2, sold.GetProperty("per_minute").EnumerateArray().Sum(m => m.GetProperty("tickets").GetInt64()));

        var ticket = booking.GetProperty("check_in_details").GetProperty("tickets")[0].Id("ticket_id");
        Assert.True((await fan.PostJsonAsync($"/v1/booking/bookings/{booking.Id("booking_id")}/cancel", new { ticket_ids = new[] { ticket } })).IsSuccessStatusCode);
        var refunded = await NextSalesAsync(stream, s => s.GetProperty("tickets_refunded").GetInt64() == 1, "a refunded ticket");
        Assert.Equal((1, 2200L, 2800L), (refunded.GetProperty("sold").GetInt32(), refunded.GetProperty("refunded_cents").GetInt64(),
            refunded.GetProperty("revenue_cents").GetInt64()));

        var polled = await owner.GetJsonAsync($"/v1/booking/events/{sale.EventId}/sales");
        Assert.Equal(1, polled.GetProperty("sold").GetInt32());
        using var other = sale.Fan("sales-other-organizer", Roles.Organizer);
        await (await other.GetAsync($"/v1/booking/events/{sale.EventId}/sales")).AssertProblemAsync(404);
        await (await other.GetAsync($"/v1/booking/events/{sale.EventId}/sales/stream")).AssertProblemAsync(404);
        await sale.AssertInvariantsAsync();
    }
}
