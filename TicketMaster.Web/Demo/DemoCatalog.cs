using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketMaster.ServiceDefaults;
using TicketMaster.Web.Account;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Demo;

public static class DemoCatalogExtensions
{
    public static void AddDemoCatalog(this IHostApplicationBuilder builder)
    {
        // Only where dev tokens exist (Development): the catalog is created as a demo organizer through the API.
        if (builder.Configuration.GetValue("Demo:Catalog", false) && Sessions.DevSignIn(builder.Configuration, builder.Environment))
        {
            builder.Services.AddHttpClient<DemoCatalog>(client => client.BaseAddress = new Uri(ApiClientsExtensions.EventsApi));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoCatalog>());
        }
    }
}

// A newcomer's first minute: on empty data the site starts with a few venues in two cities and a dozen events, one
// selling through a waiting room that opens a minute after start. Made through the public API as the organizer
// "demo-organizer" (door staff "demo-staff"), so it is exactly what an organizer could have made by hand.
public sealed class DemoCatalog(HttpClient http, ILogger<DemoCatalog> logger) : BackgroundService
{
    public const string Organizer = "demo-organizer";
    public const string Staff = "demo-staff";

    private static readonly (string Name, string City, string Address, (string Section, int Rows, int Seats, long PriceCents)[] Sections)[] Venues =
    [
        ("Riverside Hall", "London", "1 Embankment, London", [("Stalls", 12, 24, 6_500), ("Circle", 6, 20, 4_500)]),
        ("The Lantern Club", "London", "22 Camden Road, London", [("Floor", 4, 30, 3_000)]),
        ("Salle Lumière", "Paris", "8 Rue de la Scène, Paris", [("Parterre", 15, 30, 7_000), ("Balcon", 8, 26, 4_000), ("Loges", 2, 10, 12_000)]),
    ];

    private static readonly string[] Shows =
    [
        "Midnight Orchestra Live", "Electric Tide World Tour", "Velvet Harbor Unplugged", "Golden Falcon Sessions",
        "Neon Garden Summer Nights", "Silver Signal In Concert", "Cosmic River Anniversary Show", "Quiet Comet Farewell Tour",
        "Northern Lantern Winter Gala", "Royal Atlas Festival", "Lunar Engine Live", "Wild Canyon Sessions",
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await CreateUnlessPresentAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or JsonException && attempt < 10)
            {
                logger.LogInformation("Demo catalog not created yet ({Message}); trying again", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken);
            }
        }
    }

    private async Task CreateUnlessPresentAsync(CancellationToken cancellationToken)
    {
        var token = await PostAsync<JsonElement>("/v1/dev/tokens", new { user_id = Organizer, roles = new[] { "organizer" } }, null, cancellationToken);
        var bearer = token.GetProperty("access_token").GetString()!;
        using var existing = new HttpRequestMessage(HttpMethod.Get, "/v1/venues");
        existing.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var listed = await http.SendAsync(existing, cancellationToken);
        listed.EnsureSuccessStatusCode();
        if ((await listed.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetArrayLength() > 0)
        {
            return; // not the first start: the data has it (or the organizer's own work) already
        }

        var now = DateTimeOffset.UtcNow;
        var show = 0;
        foreach (var venue in Venues)
        {
            var created = await PostAsync<JsonElement>("/v1/venues", new
            {
                name = venue.Name, city = venue.City, address = venue.Address,
                sections = venue.Sections.Select(s => new
                {
                    name = s.Section,
                    rows = Enumerable.Range(0, s.Rows).Select(r => new { label = ((char)('A' + r)).ToString(), seats = s.Seats }),
                }),
            }, bearer, cancellationToken);
            var sectionIds = created.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("section_id").GetInt64()).ToList();
            for (var i = 0; i < 4; i++, show++)
            {
                var name = Shows[show];
                var performer = await PostAsync<JsonElement>("/v1/performers", new { name = name.Split(' ')[0] + " " + name.Split(' ')[1] }, bearer,
                    cancellationToken);
                var startsAt = now.Date.AddDays(7 + show * 5).AddHours(19);
                var hot = show == 0; // the first event sells through a waiting room opening a minute after start
                var eventDetails = await PostAsync<JsonElement>("/v1/events", new
                {
                    event_name = name,
                    description = $"{name} at {venue.Name}, {venue.City}.",
                    venue_id = created.GetProperty("venue_id").GetInt64(),
                    performer_ids = new[] { performer.GetProperty("performer_id").GetInt64() },
                    starts_at = new DateTimeOffset(startsAt, TimeSpan.Zero),
                    ends_at = new DateTimeOffset(startsAt.AddHours(3), TimeSpan.Zero),
                    on_sale_at = hot ? now.AddMinutes(1) : now.AddMinutes(-1),
                    prices = sectionIds.Select((id, s) => (id, venue.Sections[s].PriceCents)).ToDictionary(p => p.id.ToString(), p => p.PriceCents),
                    max_tickets_per_user = 6,
                    waiting_room = hot,
                    refundable_until = new DateTimeOffset(startsAt.AddDays(-1), TimeSpan.Zero),
                    refund_fee_cents = 200,
                }, bearer, cancellationToken);
                using var staff = new HttpRequestMessage(HttpMethod.Put, $"/v1/events/{eventDetails.GetProperty("event_id").GetInt64()}/staff")
                {
                    Content = JsonContent.Create(new { user_ids = new[] { Staff } }),
                };
                staff.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                (await http.SendAsync(staff, cancellationToken)).EnsureSuccessStatusCode();
            }
        }
        logger.LogInformation("Created the demo catalog: {Venues} venues, {Events} events (organizer {Organizer}, door staff {Staff})",
            Venues.Length, show, Organizer, Staff);
    }

    private async Task<T> PostAsync<T>(string path, object body, string? bearer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: TicketMasterJson.Options) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return (await response.Content.ReadFromJsonAsync<T>(TicketMasterJson.Options, cancellationToken))!;
    }
}
