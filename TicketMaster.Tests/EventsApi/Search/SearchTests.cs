using System.Text.Json;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.EventsApi.Search;

[Collection(AppHostCollection.Name)]
public sealed class SearchTests(AppHostFixture fixture)
{
    private static readonly DateTimeOffset January = new(2031, 1, 15, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_created_event_becomes_searchable_in_the_order_of_creation()
    {
        // The index follows every change, one after another. How fast (the 1 s p99 freshness target) is measured by
        // `./bench.sh catalog` against its same-run baselines: a timed assertion here would fail on any slow disk.
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Fresh Hall " + catalog.Tag, "Derby", ("Floor", 1, 2));
        using var reader = await fixture.ClientAsync("eventsapi");
        var created = new List<long>();

        for (var i = 0; i < 30; i++)
        {
            var word = CatalogSetup.UniqueWord();
            created.Add((await catalog.EventAsync(venue, $"Fresh {word} {catalog.Tag}", January.AddDays(i))).Id("event_id"));
            var found = await SearchWait.UntilTotalAsync(reader, $"q={word}", 1, TimeSpan.FromSeconds(10));
            Assert.Equal([created[^1]], found.EventIds());
        }

        var all = await SearchWait.UntilTotalAsync(reader, $"venue_id={venue.Id("venue_id")}&page_size=50", created.Count);
        Assert.Equal(created, all.EventIds());
    }

    [Fact]
    public async Task A_typo_still_finds_the_event()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Typo Hall", "Ely", ("Floor", 1, 2));
        var performer = await catalog.PerformerAsync($"Quasar Orchestra {catalog.Tag}");
        var created = await catalog.EventAsync(venue, $"Season opening {catalog.Tag}", January, performer);
        using var http = await fixture.ClientAsync("eventsapi");

        var result = await SearchWait.UntilTotalAsync(http, $"q=Quasr%20Orchestra%20{catalog.Tag}", 1);
        var misspelledTwice = await SearchWait.UntilTotalAsync(http, $"q=Quasar%20Orkestra%20{catalog.Tag}", 1);

        Assert.Equal([created.Id("event_id")], result.EventIds());
        Assert.Equal([created.Id("event_id")], misspelledTwice.EventIds());
        Assert.Equal(0, (await http.GetJsonAsync($"/v1/events/search?q=Zanzibar%20{catalog.Tag}")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Filters_by_venue_performer_city_and_time_alone_and_combined_with_facets_and_pages()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var cityA = "Avon" + catalog.Tag;
        var cityB = "Brook" + catalog.Tag;
        var venueA = await catalog.VenueAsync("Venue A", cityA, ("Floor", 1, 2));
        var venueB = await catalog.VenueAsync("Venue B", cityB, ("Floor", 1, 2));
        var p1 = await catalog.PerformerAsync("First Act " + catalog.Tag);
        var p2 = await catalog.PerformerAsync("Second Act " + catalog.Tag);
        var e1 = (await catalog.EventAsync(venueA, "Gig " + catalog.Tag, January, p1)).Id("event_id");
        var e2 = (await catalog.EventAsync(venueA, "Gig " + catalog.Tag, January.AddMonths(1), p2)).Id("event_id");
        var e3 = (await catalog.EventAsync(venueB, "Gig " + catalog.Tag, January.AddMonths(2), p1)).Id("event_id");
        using var http = await fixture.ClientAsync("eventsapi");
        var q = $"q={catalog.Tag}";

        var all = await SearchWait.UntilTotalAsync(http, q, 3);
        Assert.Equal(Sorted(e1, e2), Ids(await http.GetJsonAsync($"/v1/events/search?{q}&venue_id={venueA.Id("venue_id")}")));
        Assert.Equal(Sorted(e1, e3), Ids(await http.GetJsonAsync($"/v1/events/search?{q}&performer_id={p1}")));
        Assert.Equal(Sorted(e3), Ids(await http.GetJsonAsync($"/v1/events/search?{q}&city={cityB.ToUpperInvariant()}")));
        Assert.Equal(Sorted(e2, e3), Ids(await http.GetJsonAsync(
            $"/v1/events/search?{q}&from={January.AddDays(20):yyyy-MM-ddTHH:mm:ssZ}&to={January.AddMonths(3):yyyy-MM-dd}")));
        Assert.Equal(Sorted(e1), Ids(await http.GetJsonAsync($"/v1/events/search?{q}&city={cityA}&performer_id={p1}&to={January.AddDays(1):yyyy-MM-dd}")));
        // Without words, filters alone list events by date.
        Assert.Equal([e1, e2], (await http.GetJsonAsync($"/v1/events/search?venue_id={venueA.Id("venue_id")}")).EventIds());

        var facets = all.GetProperty("facets");
        Assert.Equal(new Dictionary<string, long> { [cityA] = 2, [cityB] = 1 },
            facets.GetProperty("city").EnumerateArray().ToDictionary(f => f.GetProperty("value").GetString()!, f => f.GetProperty("count").GetInt64()));
        Assert.Equal(new Dictionary<long, long> { [p1] = 2, [p2] = 1 },
            facets.GetProperty("performer").EnumerateArray().ToDictionary(f => f.Id("performer_id"), f => f.GetProperty("count").GetInt64()));

        var page1 = await http.GetJsonAsync($"/v1/events/search?{q}&page=1&page_size=2");
        var page2 = await http.GetJsonAsync($"/v1/events/search?{q}&page=2&page_size=2");
        Assert.Equal(3, page1.GetProperty("total").GetInt64());
        Assert.Equal(2, page1.GetProperty("page_size").GetInt32());
        Assert.Equal(2, page2.GetProperty("page").GetInt32());
        Assert.Equal(2, page1.EventIds().Count);
        Assert.Single(page2.EventIds());
        Assert.Equal(new[] { e1, e2, e3 }.Order(), page1.EventIds().Concat(page2.EventIds()).Order());
    }

    [Theory]
    [InlineData("page_size=0", "page_size")]
    [InlineData("page_size=101", "page_size")]
    [InlineData("page=0", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("page=200&page_size=100", "page")]
    [InlineData("from=not-a-date", "from")]
    [InlineData("from=2030-02-01&to=2030-01-01", "to")]
    [InlineData("venue_id=-4", "venue_id")]
    [InlineData("performer_id=x", "performer_id")]
    public async Task Bad_search_parameters_are_400_naming_the_parameter(string query, string parameter)
    {
        using var http = await fixture.ClientAsync("eventsapi");

        var problem = await (await http.GetAsync($"/v1/events/search?{query}")).AssertProblemAsync(400);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    private static List<long> Ids(JsonElement result) => result.EventIds().Order().ToList();

    private static List<long> Sorted(params long[] ids) => ids.Order().ToList();
}
