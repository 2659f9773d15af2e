using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Web;

[Collection(AppHostCollection.Name)]
public sealed class OrganizerAndDoorTests(AppHostFixture fixture, BrowserFixture browsers)
{
    private static readonly TokenSettings Tokens = new(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(AppHostFixture.JwtSigningKey)));

    private string WebUrl => fixture.App.GetEndpoint("web", "http").ToString();

    [Fact]
    public async Task An_organizer_creates_a_venue_and_an_event_and_watches_a_sale_tick_on_the_sales_page()
    {
        var tag = CatalogSetup.UniqueWord();
        var organizerId = "web-organizer-" + tag;
        await using var context = await browsers.NewContextAsync(WebUrl);
        var page = await context.NewPageAsync();
        await page.SignInAsync(organizerId, "organizer");

        await page.GotoAsync("/organizer");
        await page.AssertAccessibleAsync("organizer");
        await page.GetByLabel("Venue name").FillAsync("Hall " + tag);
        await page.GetByLabel("City").FillAsync("York");
        await page.GetByLabel("Address").FillAsync("1 Minster Yard, York");
        await page.GetByLabel("Sections, one per line", new() { Exact = false }).FillAsync("Stalls, 2, 5\nGallery, 1, 4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create venue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Created Hall " + tag + " with 14 seats");

        await page.GetByRole(AriaRole.Link, new() { Name = "New event here" }).ClickAsync();
        await page.AssertAccessibleAsync("organizer-new-event");
        await page.GetByLabel("Event name").FillAsync("Gala " + tag);
        await page.GetByLabel("Performer").FillAsync("Band " + tag);
        await page.GetByLabel("Price for Stalls", new() { Exact = false }).FillAsync("40");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/organizer/events/\d+$"));
        var eventId = long.Parse(page.Url.Split('/')[^1]);
        await Assertions.Expect(page.Locator("#sold")).ToHaveTextAsync("0");
        await page.AssertAccessibleAsync("organizer-event");

        // A fan buys two seats: the page, following the sales stream, shows them within a few seconds.
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        var seats = (await anonymous.GetJsonAsync($"/v1/booking/events/{eventId}/seats")).GetProperty("seats").EnumerateArray()
            .Where(s => s.GetProperty("section").GetString() == "Stalls").Select(s => s.Id("seat_id")).Take(2).ToArray();
        using var fan = fixture.App.CreateHttpClient("bookingapi");
        fan.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Issue("web-buyer-" + tag, [], TimeSpan.FromHours(1)));
        var bought = await BookingSetup.ConfirmAsync(fan, await BookingSetup.ReservationIdAsync(fan, eventId, seats));
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        await Assertions.Expect(page.Locator("#sold")).ToHaveTextAsync("2", new() { Timeout = 5_000 });
        await Assertions.Expect(page.Locator("#revenue")).ToHaveTextAsync("$80.00");
        await Assertions.Expect(page.Locator("#sections")).ToContainTextAsync("Stalls");

        // The list shows the organizer's own event; a fan may not open the organizer's pages.
        await page.GotoAsync("/organizer");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Gala " + tag })).ToBeVisibleAsync();
        await using var fanContext = await browsers.NewContextAsync(WebUrl);
        var fanPage = await fanContext.NewPageAsync();
        await fanPage.SignInAsync("web-not-organizer-" + tag);
        await fanPage.GotoAsync($"/organizer/events/{eventId}");
        await fanPage.WaitForURLAsync(new Regex("/forbidden"));

        var sale = new BookingSetup(fixture, new CatalogSetup(fixture.App.CreateHttpClient("eventsapi"), organizerId), eventId, seats, Tokens,
            default);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Door_staff_scan_a_ticket_twice_admitted_then_already_used_and_a_forged_code_is_not_valid()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        var staffId = "web-gate-" + sale.Catalog.Tag;
        await sale.AssignStaffAsync(staffId);
        using var buyer = sale.Fan("web-guest-" + sale.Catalog.Tag);
        var booking = await (await BookingSetup.ConfirmAsync(buyer, await BookingSetup.ReservationIdAsync(buyer, sale.EventId, sale.SeatIds[0]))).ReadJsonAsync();
        var code = booking.GetProperty("check_in_details").GetProperty("tickets")[0].GetProperty("qr_code").GetString()!;

        await using var context = await browsers.NewContextAsync(WebUrl);
        var page = await context.NewPageAsync();
        await page.SignInAsync(staffId, "staff");
        await page.GotoAsync("/check-in");
        await page.AssertAccessibleAsync("check-in");

        await page.GetByLabel("Ticket code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#verdict")).ToHaveTextAsync("Admitted");
        await page.AssertAccessibleAsync("check-in-admitted");

        await page.GetByLabel("Ticket code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#verdict")).ToHaveTextAsync("Already used");

        await page.GetByLabel("Ticket code").FillAsync(code[..^4] + "AAAA");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#verdict")).ToHaveTextAsync("Not valid");
        await sale.AssertInvariantsAsync();
    }
}
