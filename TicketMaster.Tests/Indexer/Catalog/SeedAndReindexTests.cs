using System.Net;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Indexer.Catalog;

[Collection(AppHostCollection.Name)]
public sealed class SeedAndReindexTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Seeding_is_deterministic_loads_a_50000_seat_stadium_and_is_searchable_after_the_reindex()
    {
        using var organizer = await fixture.ClientAsync("eventsapi", "seeder", "organizer");
        var seed = Random.Shared.Next(1_000, int.MaxValue);
        using var http = await fixture.ClientAsync("eventsapi");
        var indexedBefore = (await http.GetJsonAsync("/v1/events/search?q=TicketMaster%20Stadium")).GetProperty("total").GetInt64();

        var response = await organizer.PostJsonAsync("/v1/dev/seed", new { events = 300, seed });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJsonAsync();
        Assert.Equal(300, result.GetProperty("events").GetInt32());
        Assert.Equal(50_000 + 300 * 20, result.GetProperty("seats").GetInt64());
        Assert.Equal(50_000 + 299 * 20, result.GetProperty("event_seats").GetInt64());

        // The same seed generates the same ids, so loading it again is refused rather than duplicated.
        await (await organizer.PostJsonAsync("/v1/dev/seed", new { events = 300, seed })).AssertProblemAsync(409);

        // The first seeded event plays the new stadium; the reindex request makes it searchable.
        await SearchWait.UntilTotalAsync(http, "q=TicketMaster%20Stadium", indexedBefore + 1, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Reindex_is_for_organizers_and_rebuilds_the_index_from_MySQL()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Reindex Hall", "Ripon", ("Floor", 1, 2));
        await catalog.EventAsync(venue, $"Kept {catalog.Tag}", DateTimeOffset.UtcNow.AddDays(9));
        using var http = await fixture.ClientAsync("eventsapi");
        await SearchWait.UntilTotalAsync(http, $"q={catalog.Tag}", 1);
        using var indexer = fixture.App.CreateHttpClient("indexer");
        var before = (await indexer.GetJsonAsync("/indexer/stats")).GetProperty("reindexed").GetInt64();
        using var fan = await fixture.ClientAsync("eventsapi", "fan-reindex");

        using var admin = await fixture.ClientAsync("eventsapi", "platform-admin", Roles.Admin);

        await (await fan.PostJsonAsync("/v1/admin/reindex", new { })).AssertProblemAsync(403);
        // Rebuilding the whole index is the platform's call, not an organizer's.
        await (await catalog.Http.PostJsonAsync("/v1/admin/reindex", new { })).AssertProblemAsync(403);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostJsonAsync("/v1/admin/reindex", new { })).StatusCode);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await indexer.GetJsonAsync("/indexer/stats")).GetProperty("reindexed").GetInt64() == before)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the Indexer never reindexed");
            await Task.Delay(100);
        }
        await SearchWait.UntilTotalAsync(http, $"q={catalog.Tag}", 1);
    }
}
