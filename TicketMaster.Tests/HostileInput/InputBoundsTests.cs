using System.Net;
using System.Text;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.HostileInput;

// Every input is bounded to what storage accepts and checked before any I/O: nothing reaches MySQL that it would
// refuse (a 500); the answer is a 400 naming the field (or a 409/413), and never fails anybody else's request.
[Collection(AppHostCollection.Name)]
public sealed class InputBoundsTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Booking_inputs_past_what_storage_holds_are_400s_naming_the_field()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var fan = sale.Fan("bounded-fan");

        var duplicate = await (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0], sale.SeatIds[0])).AssertProblemAsync(400);
        Assert.True(duplicate.GetProperty("errors").TryGetProperty("seat_ids", out _));
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);
        var method = await (await BookingSetup.ConfirmAsync(fan, reservationId, "pm_" + new string('x', 300))).AssertProblemAsync(400);
        Assert.True(method.GetProperty("errors").TryGetProperty("payment_info.method", out _));
        var longId = await (await BookingSetup.ConfirmAsync(fan, "r_" + new string('1', 300))).AssertProblemAsync(400);
        Assert.True(longId.GetProperty("errors").TryGetProperty("reservation_id", out _));
        await (await fan.PostJsonAsync("/v1/booking/check-in", new { qr_code = new string('T', 5000) })).AssertProblemAsync(403);

        // The hold is untouched by all that: the fan still books.
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(fan, reservationId)).StatusCode);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Catalog_inputs_that_used_to_collide_or_overflow_in_MySQL_are_refused_first()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Bounds Hall " + catalog.Tag, "Derby", ("Floor", 1, 2));
        var sectionId = venue.GetProperty("sections")[0].Id("section_id");
        var startsAt = DateTimeOffset.UtcNow.AddDays(40);
        object Event(object prices, DateTimeOffset? starts = null, DateTimeOffset? onSale = null) => new
        {
            event_name = "Bounds " + catalog.Tag, venue_id = venue.Id("venue_id"), starts_at = starts ?? startsAt,
            ends_at = (starts ?? startsAt).AddHours(2), on_sale_at = onSale ?? (starts ?? startsAt).AddDays(-1), prices,
        };

        // "0123" names section 123 a second time.
        var zeroPadded = await (await catalog.Http.PostJsonAsync("/v1/events", Event(new Dictionary<string, long> { [$"{sectionId}"] = 100, [$"0{sectionId}"] = 200 })))
            .AssertProblemAsync(400);
        Assert.True(zeroPadded.GetProperty("errors").TryGetProperty("prices", out _));
        // Year 1 overflowed the gates-open time of its tickets; five years and more ahead is no sale anyone plans.
        var ancient = await (await catalog.Http.PostJsonAsync("/v1/events",
            Event(new Dictionary<string, long> { [$"{sectionId}"] = 100 }, new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero))))
            .AssertProblemAsync(400);
        Assert.True(ancient.GetProperty("errors").TryGetProperty("starts_at", out _));
        await (await catalog.Http.PostJsonAsync("/v1/events", Event(new Dictionary<string, long> { [$"{sectionId}"] = 100 }, DateTimeOffset.UtcNow.AddYears(7))))
            .AssertProblemAsync(400);
        // A sale opens before the event starts.
        var lateSale = await (await catalog.Http.PostJsonAsync("/v1/events", Event(new Dictionary<string, long> { [$"{sectionId}"] = 100 }, onSale: startsAt.AddHours(1))))
            .AssertProblemAsync(400);
        Assert.True(lateSale.GetProperty("errors").TryGetProperty("on_sale_at", out _));
        // "Cafe" and "Café" are one name to MySQL's unique key.
        var accents = await (await catalog.Http.PostJsonAsync("/v1/venues", new
        {
            name = "Accent Hall", city = "Caen", address = "1 Rue",
            sections = new[] { new { name = "Cafe", rows = new[] { new { label = "A", seats = 1 } } }, new { name = "Café", rows = new[] { new { label = "A", seats = 1 } } } },
        })).AssertProblemAsync(400);
        Assert.True(accents.GetProperty("errors").TryGetProperty("sections[1].name", out _));
        await (await catalog.Http.PostJsonAsync("/v1/events", new { event_name = "Twice", venue_id = venue.Id("venue_id"), performer_ids = new[] { 5L, 5L },
            starts_at = startsAt, ends_at = startsAt.AddHours(1), prices = new Dictionary<string, long> { [$"{sectionId}"] = 1 } })).AssertProblemAsync(400);
    }

    [Fact]
    public async Task Bodies_are_bounded_before_they_are_read_whole()
    {
        using var booking = fixture.App.CreateHttpClient("bookingapi");
        var webhook = new HttpRequestMessage(HttpMethod.Post, "/v1/payments/stripe/webhook")
        {
            Content = new StringContent("{\"id\":\"" + new string('e', 300 * 1024) + "\"}", Encoding.UTF8, "application/json"),
        };
        webhook.Headers.Add("Stripe-Signature", "t=1,v1=00");
        webhook.Headers.ExpectContinue = true;
        await (await booking.SendAsync(webhook)).AssertProblemAsync(413);

        using var organizer = await fixture.ClientAsync("eventsapi", "bounds-organizer", "organizer");
        var huge = new StringContent("{\"name\":\"" + new string('n', 2 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json");
        var response = await organizer.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/performers") { Content = huge, Headers = { ExpectContinue = true } });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("eventsapi")]
    [InlineData("bookingapi")]
    public async Task The_benchmark_endpoints_exist_only_when_a_benchmark_turns_them_on(string service)
    {
        using var http = fixture.App.CreateHttpClient(service);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/bench/hello")).StatusCode);
    }
}
