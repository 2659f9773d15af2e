using System.Net;
using MySqlConnector;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Authorization;

// Venues and events belong to the organizer who created them. Another organizer is answered exactly as if the event
// or venue did not exist, so that nothing about it leaks.
[Collection(AppHostCollection.Name)]
public sealed class OwnershipTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Another_organizers_event_and_venue_are_answered_like_ones_that_do_not_exist()
    {
        var owner = await CatalogSetup.CreateAsync(fixture);
        var venue = await owner.VenueAsync("Owned Hall " + owner.Tag, "Bath", ("Floor", 1, 2));
        var eventId = (await owner.EventAsync(venue, $"Owned {owner.Tag}", DateTimeOffset.UtcNow.AddDays(12))).Id("event_id");
        var rival = await CatalogSetup.CreateAsync(fixture);
        const long unknown = 987_654_321_987;

        var theirs = await (await rival.Http.PatchJsonAsync($"/v1/events/{eventId}", new { event_name = "Hijacked" })).AssertProblemAsync(404);
        var missing = await (await rival.Http.PatchJsonAsync($"/v1/events/{unknown}", new { event_name = "Hijacked" })).AssertProblemAsync(404);
        Assert.Equal(missing.GetProperty("title").GetString(), theirs.GetProperty("title").GetString());
        Assert.Equal(missing.GetProperty("detail").GetString()!.Replace($"{unknown}", "ID"), theirs.GetProperty("detail").GetString()!.Replace($"{eventId}", "ID"));

        // Events go on the organizer's own venues only: a rival's venue is "no venue of yours", as an unknown one is.
        var onTheirVenue = await (await rival.Http.PostJsonAsync("/v1/events", CatalogSetup.EventBody(venue, "Squatter", DateTimeOffset.UtcNow.AddDays(13))))
            .AssertProblemAsync(422);
        var unknownVenue = System.Text.Json.JsonSerializer.SerializeToElement(new { venue_id = unknown, sections = new[] { new { section_id = 1 } } });
        var onNoVenue = await (await rival.Http.PostJsonAsync("/v1/events", CatalogSetup.EventBody(unknownVenue, "Squatter", DateTimeOffset.UtcNow.AddDays(13))))
            .AssertProblemAsync(422);
        Assert.Equal(onNoVenue.GetProperty("errors").GetProperty("venue_id")[0].GetString()!.Replace($"{unknown}", "ID"),
            onTheirVenue.GetProperty("errors").GetProperty("venue_id")[0].GetString()!.Replace($"{venue.Id("venue_id")}", "ID"));

        using var details = await fixture.ClientAsync("eventsapi");
        Assert.Equal($"Owned {owner.Tag}", (await details.GetJsonAsync($"/v1/events/{eventId}")).GetProperty("event_name").GetString());
    }

    // Rows from before ownership existed get the empty owner: no token has an empty subject, so only an admin manages them.
    [Fact]
    public async Task An_event_with_the_placeholder_owner_is_managed_by_admins_only()
    {
        var creator = await CatalogSetup.CreateAsync(fixture);
        var venue = await creator.VenueAsync("Legacy Hall " + creator.Tag, "Ely", ("Floor", 1, 2));
        var eventId = (await creator.EventAsync(venue, $"Legacy {creator.Tag}", DateTimeOffset.UtcNow.AddDays(14))).Id("event_id");
        await using (var db = new MySqlConnection(await fixture.GetConnectionStringAsync("catalog")))
        {
            await db.OpenAsync();
            await using var unown = new MySqlCommand("UPDATE event SET owner_id = '' WHERE event_id = @e", db);
            unown.Parameters.AddWithValue("@e", eventId);
            Assert.Equal(1, await unown.ExecuteNonQueryAsync());
        }
        using var admin = await fixture.ClientAsync("eventsapi", "legacy-admin", Roles.Admin);

        await (await creator.Http.PatchJsonAsync($"/v1/events/{eventId}", new { description = "mine again?" })).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchJsonAsync($"/v1/events/{eventId}", new { description = "kept by the platform" })).StatusCode);
    }
}
