using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.EventsApi.Sales;

// BookingApi reads an event's listing (terms, staff, priced seats) from the catalog's API, as a role that may do
// nothing else.
[Collection(AppHostCollection.Name)]
public sealed class SaleListingTests(AppHostFixture fixture)
{
    [Fact]
    public async Task The_listing_is_served_to_the_booking_services_role_which_may_do_nothing_else()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Listing Hall " + catalog.Tag, "Ripon", ("Stalls", 2, 3), ("Circle", 1, 2));
        var eventId = (await catalog.EventAsync(venue, $"Listed {catalog.Tag}", DateTimeOffset.UtcNow.AddDays(12))).Id("event_id");
        using var sale = await fixture.ClientAsync("eventsapi", "bookingapi", Roles.BookingService);

        var listing = await sale.GetJsonAsync($"/v1/admin/catalog/events/{eventId}/sale");
        var terms = listing.GetProperty("terms");
        Assert.Equal(catalog.OrganizerId, terms.GetProperty("owner_id").GetString());
        Assert.Equal($"Listed {catalog.Tag}", terms.GetProperty("event").GetProperty("event_name").GetString());
        Assert.Empty(terms.GetProperty("staff").EnumerateArray());
        var seats = listing.GetProperty("seats").EnumerateArray().ToList();
        Assert.Equal(8, seats.Count);
        Assert.Equal(8, seats.Select(s => s.Id("seat_id")).Distinct().Count());
        Assert.Equal(["Circle", "Stalls"], seats.Select(s => s.GetProperty("section").GetString()).Distinct().Order());

        // Staff named by the owner are in the next listing (and in the event.sale_changed it published).
        Assert.True((await catalog.Http.PutJsonAsync($"/v1/events/{eventId}/staff", new { user_ids = new[] { "door-1" } })).IsSuccessStatusCode);
        var staffed = await sale.GetJsonAsync($"/v1/admin/catalog/events/{eventId}/sale");
        Assert.Equal(["door-1"], staffed.GetProperty("terms").GetProperty("staff").EnumerateArray().Select(s => s.GetString()));
        Assert.True(staffed.GetProperty("terms").GetProperty("event").GetProperty("version").GetInt64()
            > terms.GetProperty("event").GetProperty("version").GetInt64());

        var termsOnly = await sale.GetJsonAsync($"/v1/admin/catalog/events/{eventId}/sale?seats=false");
        Assert.Empty(termsOnly.GetProperty("seats").EnumerateArray());
        Assert.Equal(["door-1"], termsOnly.GetProperty("terms").GetProperty("staff").EnumerateArray().Select(s => s.GetString()));
        await (await sale.GetAsync($"/v1/admin/catalog/events/{eventId + 1}/sale")).AssertProblemAsync(404);
        // The role reads listings and nothing more; the Indexer's role and organizers get no listing.
        await (await sale.PostJsonAsync("/v1/venues", new { name = "x", city = "y", address = "z", sections = Array.Empty<object>() })).AssertProblemAsync(403);
        await (await sale.PatchJsonAsync($"/v1/events/{eventId}", new { description = "not mine" })).AssertProblemAsync(403);
        using var indexer = await fixture.ClientAsync("eventsapi", "indexer", Roles.SearchIndexer);
        await (await indexer.GetAsync($"/v1/admin/catalog/events/{eventId}/sale")).AssertProblemAsync(403);
        await (await catalog.Http.GetAsync($"/v1/admin/catalog/events/{eventId}/sale")).AssertProblemAsync(403);
    }
}
