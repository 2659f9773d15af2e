using System.Text.Json;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.EventsApi;

/// <summary>Creates venues, performers and events as an organizer, with a unique tag so tests never see each other's data.</summary>
public sealed class CatalogSetup(HttpClient organizer, string organizerId)
{
    public string Tag { get; } = UniqueWord();

    /// <summary>The organizer's user id: the owner of every venue and event this setup creates.</summary>
    public string OrganizerId => organizerId;

    public static async Task<CatalogSetup> CreateAsync(AppHostFixture fixture)
    {
        var organizerId = "organizer-" + Guid.NewGuid().ToString("N")[..8];
        return new(await fixture.ClientAsync("eventsapi", organizerId, "organizer"), organizerId);
    }

    public HttpClient Http => organizer;

    public async Task<JsonElement> VenueAsync(string name, string city, params (string Name, int Rows, int SeatsPerRow)[] sections)
    {
        var response = await organizer.PostJsonAsync("/v1/venues", new
        {
            name,
            city,
            address = "1 Test Street",
            sections = sections.Select(s => new
            {
                name = s.Name,
                rows = Enumerable.Range(1, s.Rows).Select(r => new { label = $"R{r}", seats = s.SeatsPerRow }),
            }),
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public async Task<long> PerformerAsync(string name)
    {
        var response = await organizer.PostJsonAsync("/v1/performers", new { name });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).Id("performer_id");
    }

    public async Task<JsonElement> EventAsync(JsonElement venue, string name, DateTimeOffset startsAt, params long[] performerIds)
    {
        var response = await organizer.PostJsonAsync("/v1/events", EventBody(venue, name, startsAt, performerIds));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public static object EventBody(JsonElement venue, string name, DateTimeOffset startsAt, params long[] performerIds) => new
    {
        event_name = name,
        description = $"{name}: an evening to remember",
        venue_id = venue.Id("venue_id"),
        performer_ids = performerIds,
        starts_at = startsAt,
        ends_at = startsAt.AddHours(3),
        on_sale_at = startsAt.AddDays(-30),
        prices = venue.GetProperty("sections").EnumerateArray()
            .Select((s, i) => (Id: s.Id("section_id").ToString(), Cents: 2500L + i * 1000))
            .ToDictionary(p => p.Id, p => p.Cents),
    };

    /// <summary>A made-up word of letters only (the analyzer keeps it as one token).</summary>
    public static string UniqueWord() =>
        "zq" + string.Concat(Guid.NewGuid().ToByteArray().Take(12).Select(b => (char)('a' + b % 26)));
}
