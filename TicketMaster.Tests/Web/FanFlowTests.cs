using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Web;

// The site in a real browser (Debian's Chromium) against the whole topology: what a fan sees and does, by keyboard.
[Collection(AppHostCollection.Name)]
public sealed class FanFlowTests(AppHostFixture fixture, BrowserFixture browsers)
{
    private string WebUrl => fixture.App.GetEndpoint("web", "http").ToString();

    [Fact]
    public async Task A_fan_finds_an_event_despite_a_typo_waits_in_line_watches_a_seat_go_live_reserves_pays_and_gets_qr_tickets()
    {
        // The fan is in line before the sale opens (the queue page is seen waiting); the organizer then opens it.
        var sale = await BookingSetup.CreateAsync(fixture, seats: 12, waitingRoom: true, onSaleAt: DateTimeOffset.UtcNow.AddMinutes(10), holdSeconds: 120);
        using var owner = sale.Owner();
        Assert.Equal(HttpStatusCode.NoContent,
            (await owner.PutJsonAsync($"/v1/booking/events/{sale.EventId}/queue/admission", new { admissions_per_second = 50 })).StatusCode);
        var name = $"Sale {sale.Catalog.Tag}";
        var typo = Typo(sale.Catalog.Tag);

        await using var context = await browsers.NewContextAsync(WebUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.AssertAccessibleAsync("sign-in");
        await page.SignInAsync("web-fan-" + sale.Catalog.Tag);

        await page.GotoAsync("/");
        await page.AssertAccessibleAsync("home");
        // The index follows the catalog through the broker: the event is findable within a few seconds.
        var result = page.GetByRole(AriaRole.Link, new() { Name = name });
        await Eventually.TrueAsync(async () =>
        {
            await page.GotoAsync("/");
            await page.GetByLabel("Search events").FillAsync(typo);
            await page.GetByLabel("Search events").PressAsync("Enter");
            await page.WaitForURLAsync(new Regex(@"/search\?q="));
            return await result.CountAsync() == 1;
        }, TimeSpan.FromSeconds(15), "the search finds the event despite the typo");
        await page.AssertAccessibleAsync("search");

        await result.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex($"/events/{sale.EventId}$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("event");
        var eventPage = await page.APIRequest.GetAsync($"/events/{sale.EventId}");
        Assert.True((await eventPage.BodyAsync()).Length < 100_000, "the event page is under 100 KB");

        await page.GetByRole(AriaRole.Button, new() { Name = "Join the waiting room" }).PressAsync("Enter");
        await page.WaitForURLAsync(new Regex($"/events/{sale.EventId}/queue"));
        await Assertions.Expect(page.Locator("#queue-position")).ToHaveTextAsync(new Regex(@"^\d+$"));
        await page.AssertAccessibleAsync("queue");
        Assert.Equal(HttpStatusCode.OK, (await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}",
            new { on_sale_at = DateTimeOffset.UtcNow.AddSeconds(-1) })).StatusCode);

        // Admitted once the sale opens: the page goes on to the seats with the pass.
        await page.WaitForURLAsync(new Regex($"/events/{sale.EventId}/seats"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#seats[data-ready=true]")).ToHaveCountAsync(1);

        // Another fan holds a seat: the map shows it held, live.
        using var other = sale.Fan("web-other-" + sale.Catalog.Tag);
        var pass = await sale.QueuePassAsync(other);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveWithPassAsync(other, sale.EventId, pass, sale.SeatIds[0])).StatusCode);
        await page.WaitForFunctionAsync($"window.ticketmasterSeatMap.statusOf({sale.SeatIds[0]}) === 'held'", null, new() { Timeout = 3_000 });
        await page.AssertAccessibleAsync("seats");

        // Two seats from the list alternative, by keyboard; the held one cannot be chosen.
        await page.GetByText("Seat list").ClickAsync();
        var firstSeat = page.GetByRole(AriaRole.Checkbox, new() { Name = "Seat 1,", Exact = false });
        await Assertions.Expect(firstSeat).ToBeDisabledAsync();
        foreach (var seat in new[] { "Seat 2,", "Seat 3," })
        {
            await page.GetByRole(AriaRole.Checkbox, new() { Name = seat, Exact = false }).FocusAsync();
            await page.Keyboard.PressAsync("Space");
        }
        await Assertions.Expect(page.Locator("#chosen-total")).ToContainTextAsync("2 selected");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reserve" }).PressAsync("Enter");
        var checkout = page.GetByRole(AriaRole.Link, new() { Name = "Go to checkout" });
        await Assertions.Expect(checkout).ToBeVisibleAsync();
        await page.WaitForFunctionAsync($"window.ticketmasterSeatMap.statusOf({sale.SeatIds[1]}) === 'yours'");
        await checkout.PressAsync("Enter");

        await page.WaitForURLAsync(new Regex("/checkout/"));
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("Total");
        await page.AssertAccessibleAsync("checkout");
        // A hot sale's hold lasts only while its checkout is open: the page keeps it alive while the fan takes their time.
        await page.WaitForTimeoutAsync((float)(AppHostFixture.HoldPresence * 2.5).TotalMilliseconds);
        await page.GetByLabel("Visa ending 4242 (succeeds)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).PressAsync("Enter");

        await page.WaitForURLAsync(new Regex("/bookings/\\d+"));
        await Assertions.Expect(page.Locator("#confirmation-number")).ToHaveTextAsync(new Regex(".+"));
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code of the ticket", Exact = false })).ToHaveCountAsync(2);
        await page.AssertAccessibleAsync("booking");

        await page.GotoAsync("/tickets");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("tickets");
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_declined_card_says_so_and_keeps_the_hold_for_another_try_on_a_phone()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 6);
        var fanId = "web-declined-" + sale.Catalog.Tag;
        await using var context = await browsers.NewContextAsync(WebUrl, BrowserFixture.Phone);
        var page = await context.NewPageAsync();
        await page.SignInAsync(fanId);

        await page.GotoAsync($"/events/{sale.EventId}");
        await page.AssertFitsTheScreenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Find seats" }).ClickAsync();
        await Assertions.Expect(page.Locator("#seats[data-ready=true]")).ToHaveCountAsync(1);
        await page.AssertFitsTheScreenAsync();
        await page.GetByLabel("Quantity").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Best available" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Go to checkout" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/checkout/"));
        var reservationId = Uri.UnescapeDataString(page.Url.Split("/checkout/")[1]);

        await page.GetByLabel("Card ending 0002 (declined)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("declined");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("still held");
        await page.AssertAccessibleAsync("checkout-declined");
        await page.AssertFitsTheScreenAsync();
        using var fan = sale.Fan(fanId);
        Assert.Equal(HttpStatusCode.OK, (await fan.GetAsync($"/v1/booking/reservations/{reservationId}")).StatusCode);

        await page.GetByLabel("Visa ending 4242 (succeeds)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/bookings/\\d+"));
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code of the ticket", Exact = false })).ToHaveCountAsync(2);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task The_proxy_refuses_a_cross_site_write_and_never_offers_development_routes()
    {
        using var web = new HttpClient { BaseAddress = new Uri(WebUrl) };
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/v1/booking/reserve") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        crossSite.Headers.Add("Origin", "https://elsewhere.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await web.SendAsync(crossSite)).StatusCode);
        using var sameSite = new HttpRequestMessage(HttpMethod.Post, "/v1/booking/reserve") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        sameSite.Headers.Add("Origin", WebUrl.TrimEnd('/'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await web.SendAsync(sameSite)).StatusCode); // reached BookingApi, without a session
        Assert.NotEqual(HttpStatusCode.OK, (await web.PostAsync("/v1/dev/tokens", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/v1/booking/admin/events/1/invariants")).StatusCode);
        // Pages that act for a person send a visitor to sign in.
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(WebUrl) };
        var tickets = await noRedirect.GetAsync("/tickets");
        Assert.Equal(HttpStatusCode.Redirect, tickets.StatusCode);
        Assert.StartsWith("/sign-in", tickets.Headers.Location!.PathAndQuery);
    }

    // One letter changed in the middle of the made-up word: an edit the search forgives.
    private static string Typo(string word) =>
        word[..6] + (word[6] == 'x' ? 'y' : 'x') + word[7..];
}
