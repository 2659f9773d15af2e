using System.Net;
using System.Net.Http.Headers;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.EventsApi.Caching;

[Collection(AppHostCollection.Name)]
public sealed class CachingTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Event_details_send_an_ETag_and_Cache_Control_and_answer_If_None_Match_with_304()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Cache Hall", "Kent", ("Floor", 1, 2));
        var eventId = (await catalog.EventAsync(venue, "Cached " + catalog.Tag, DateTimeOffset.UtcNow.AddDays(3))).Id("event_id");
        using var http = await fixture.ClientAsync("eventsapi");

        var first = await http.GetAsync($"/v1/events/{eventId}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.True(first.Headers.CacheControl?.Public);
        Assert.NotNull(first.Headers.CacheControl?.MaxAge);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/events/{eventId}");
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_update_evicts_the_cached_details_within_a_second_on_every_replica_and_changes_the_ETag()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Evict Hall", "Kent", ("Floor", 1, 2));
        var eventId = (await catalog.EventAsync(venue, "Before " + catalog.Tag, DateTimeOffset.UtcNow.AddDays(3))).Id("event_id");
        using var http = await fixture.ClientAsync("eventsapi");

        var before = await http.GetAsync($"/v1/events/{eventId}");
        var cached = await http.GetAsync($"/v1/events/{eventId}");
        // Served from the Redis output cache the second time (Age is set by the cache).
        Assert.NotNull(cached.Headers.Age);

        var update = await catalog.Http.PatchJsonAsync($"/v1/events/{eventId}", new { event_name = "After " + catalog.Tag });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        // The replica that handled the update evicted at once; the others drop their local copy on a Redis
        // pub/sub message, at worst when it expires after a second.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage after;
        while (true)
        {
            using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/events/{eventId}");
            conditional.Headers.IfNoneMatch.Add(before.Headers.ETag!);
            after = await http.SendAsync(conditional);
            if (after.StatusCode == HttpStatusCode.OK || clock.Elapsed > TimeSpan.FromSeconds(1.5))
            {
                break;
            }
            await Task.Delay(20);
        }

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        var details = await after.ReadJsonAsync();
        Assert.Equal("After " + catalog.Tag, details.GetProperty("event_name").GetString());
        Assert.Equal(2, details.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Search_results_send_an_ETag_and_answer_If_None_Match_with_304()
    {
        using var http = await fixture.ClientAsync("eventsapi");
        var first = await http.GetAsync("/v1/events/search?q=nothing-will-match-this-" + CatalogSetup.UniqueWord());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), first.Headers.CacheControl?.MaxAge);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, first.RequestMessage!.RequestUri);
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(first.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(conditional)).StatusCode);
    }
}
