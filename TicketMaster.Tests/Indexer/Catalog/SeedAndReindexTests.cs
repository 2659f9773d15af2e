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
    public async Task Reindex_is_for_admins_and_rebuilds_the_index_from_the_catalogs_API()
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

    [Fact]
    public async Task The_catalogs_documents_are_served_page_by_page_to_the_indexers_role_which_may_do_nothing_else()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Paged Hall", "Selby", ("Floor", 1, 2));
        var created = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await catalog.EventAsync(venue, $"Paged {i} {catalog.Tag}", DateTimeOffset.UtcNow.AddDays(20 + i))).Id("event_id"));
        }
        using var indexer = await fixture.ClientAsync("eventsapi", "indexer", Roles.SearchIndexer);

        // Every event, each once, in id order, two to a page.
        var seen = new List<long>();
        long? after = 0;
        while (after is { } from)
        {
            var page = await indexer.GetJsonAsync($"/v1/admin/catalog/documents?after={from}&limit=2");
            var ids = page.GetProperty("documents").EnumerateArray().Select(d => d.Id("event_id")).ToList();
            Assert.True(ids.Count <= 2);
            Assert.All(ids, id => Assert.True(id > from));
            seen.AddRange(ids);
            after = page.GetProperty("next_after").ValueKind == System.Text.Json.JsonValueKind.Null ? null : page.GetProperty("next_after").GetInt64();
        }
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(created.ToHashSet(), seen.ToHashSet());
        await (await indexer.GetAsync("/v1/admin/catalog/documents?limit=5000")).AssertProblemAsync(400);

        // The role reads the catalog and nothing more: no writes, no reindex, no other organizer's business.
        await (await indexer.PostJsonAsync("/v1/admin/reindex", new { })).AssertProblemAsync(403);
        await (await indexer.PostJsonAsync("/v1/venues", new { name = "x", city = "y", address = "z", sections = Array.Empty<object>() })).AssertProblemAsync(403);
        await (await catalog.Http.GetAsync("/v1/admin/catalog/documents")).AssertProblemAsync(403);
    }
}
