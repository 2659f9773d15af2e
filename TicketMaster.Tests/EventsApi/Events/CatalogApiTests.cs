using System.Net;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.EventsApi.Events;

[Collection(AppHostCollection.Name)]
public sealed class CatalogApiTests(AppHostFixture fixture)
{
    private static readonly DateTimeOffset Tomorrow = DateTimeOffset.UtcNow.Date.AddDays(1).AddHours(19);

    [Fact]
    public async Task Writes_need_a_token_401_and_the_organizer_role_403_as_problem_details()
    {
        using var anonymous = await fixture.ClientAsync("eventsapi");
        using var fan = await fixture.ClientAsync("eventsapi", "fan-1");

        await (await anonymous.PostJsonAsync("/v1/performers", new { name = "Nobody" })).AssertProblemAsync(401);
        await (await fan.PostJsonAsync("/v1/performers", new { name = "Nobody" })).AssertProblemAsync(403);
        await (await fan.PostJsonAsync("/v1/venues", new { name = "x" })).AssertProblemAsync(403);
        using var forged = fixture.App.CreateHttpClient("eventsapi");
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6Im9yZ2FuaXplciJ9.c2lnbmF0dXJl");
        await (await forged.PostJsonAsync("/v1/performers", new { name = "Nobody" })).AssertProblemAsync(401);
    }

    [Fact]
    public async Task Dev_tokens_refuse_unknown_roles()
    {
        using var http = fixture.App.CreateHttpClient("eventsapi");
        var problem = await (await http.PostJsonAsync("/v1/dev/tokens", new { user_id = "u1", roles = new[] { "superuser" } })).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("roles", out _));
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("Fan <fan@example.com>")]
    [InlineData("fan@example.com\r\nBcc: everyone@example.com")]
    public async Task Dev_tokens_take_a_plain_email_address_only(string email)
    {
        using var http = fixture.App.CreateHttpClient("eventsapi");
        var problem = await (await http.PostJsonAsync("/v1/dev/tokens", new { user_id = "u1", email })).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _));

        var issued = await (await http.PostJsonAsync("/v1/dev/tokens", new { user_id = "u1", email = "fan@example.com" })).ReadJsonAsync();
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(issued.GetProperty("access_token").GetString());
        Assert.Equal("fan@example.com", token.GetClaim("email").Value);
    }

    [Fact]
    public async Task Creating_an_event_lists_every_venue_seat_for_the_sale_at_its_sections_price()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Hall " + catalog.Tag, "Leeds", ("Stalls", 3, 10), ("Circle", 2, 5));
        var sections = venue.GetProperty("sections").EnumerateArray().ToList();
        Assert.Equal([30, 10], sections.Select(s => s.GetProperty("seat_count").GetInt32()));
        var performer = await catalog.PerformerAsync("Performer " + catalog.Tag);

        var response = await catalog.Http.PostJsonAsync("/v1/events", CatalogSetup.EventBody(venue, "Show " + catalog.Tag, Tomorrow, performer));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        var eventId = created.Id("event_id");
        Assert.Equal($"/v1/events/{eventId}", response.Headers.Location?.OriginalString);
        Assert.Equal(40, created.GetProperty("availability").GetProperty("total_seats").GetInt64());
        Assert.Equal(2500, created.GetProperty("price_range").GetProperty("min_cents").GetInt64());
        Assert.Equal(3500, created.GetProperty("price_range").GetProperty("max_cents").GetInt64());

        // The sale's listing of the event (what BookingApi reads from the catalog): every seat at its section's price.
        using var sale = await fixture.ClientAsync("eventsapi", "bookingapi", Roles.BookingService);
        var listing = await sale.GetJsonAsync($"/v1/admin/catalog/events/{eventId}/sale");
        Assert.Equal(eventId, listing.GetProperty("terms").GetProperty("event").Id("event_id"));
        var rows = listing.GetProperty("seats").EnumerateArray()
            .GroupBy(seat => seat.Id("section_id"))
            .ToDictionary(g => g.Key, g => ((long)g.Count(), g.Min(seat => seat.GetProperty("price_cents").GetInt64()),
                g.Max(seat => seat.GetProperty("price_cents").GetInt64()), (long)g.Select(seat => seat.Id("seat_id")).Distinct().Count()));
        Assert.Equal((30L, 2500L, 2500L, 30L), rows[sections[0].Id("section_id")]);
        Assert.Equal((10L, 3500L, 3500L, 10L), rows[sections[1].Id("section_id")]);
    }

    [Fact]
    public async Task Event_details_by_path_and_by_the_seeds_query_form_agree()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Arena " + catalog.Tag, "York", ("Floor", 1, 4));
        var performer = await catalog.PerformerAsync("Band " + catalog.Tag);
        var created = await catalog.EventAsync(venue, "Night " + catalog.Tag, Tomorrow, performer);
        using var anonymous = await fixture.ClientAsync("eventsapi");

        var byPath = await anonymous.GetJsonAsync($"/v1/events/{created.Id("event_id")}");
        var byQuery = await anonymous.GetJsonAsync($"/v1/events/?id={created.Id("event_id")}");

        Assert.Equal(byPath.ToString(), byQuery.ToString());
        Assert.Equal("Night " + catalog.Tag, byPath.GetProperty("event_name").GetString());
        Assert.Equal("York", byPath.GetProperty("venue").GetProperty("city").GetString());
        Assert.Equal("Band " + catalog.Tag, byPath.GetProperty("performers")[0].GetProperty("name").GetString());
        Assert.Equal(Tomorrow, byPath.GetProperty("starts_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Unknown_and_malformed_event_ids_are_404_and_400()
    {
        using var http = await fixture.ClientAsync("eventsapi");

        await (await http.GetAsync("/v1/events/1")).AssertProblemAsync(404);
        await (await http.GetAsync("/v1/events/?id=1")).AssertProblemAsync(404);
        var problem = await (await http.GetAsync("/v1/events/?id=abc")).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Invalid_venue_lists_the_offending_fields()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);

        var response = await catalog.Http.PostJsonAsync("/v1/venues", new
        {
            name = "",
            city = "Bath",
            address = "x",
            sections = new[] { new { name = "A", rows = new[] { new { label = "1", seats = 0 }, new { label = "1", seats = 5 } } } },
        });

        var errors = (await response.AssertProblemAsync(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("sections[0].rows[0].seats", out _));
        Assert.True(errors.TryGetProperty("sections[0].rows[1].label", out _));
        Assert.False(errors.TryGetProperty("city", out _));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_not_a_500()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);

        var response = await catalog.Http.PostAsync("/v1/events",
            new StringContent("{\"event_name\": ", System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Event_validation_400_and_unknown_references_422()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Club " + catalog.Tag, "Hull", ("Floor", 1, 2), ("Bar", 1, 2));

        var backwards = await catalog.Http.PostJsonAsync("/v1/events", new
        {
            event_name = "Backwards", venue_id = venue.Id("venue_id"), starts_at = Tomorrow, ends_at = Tomorrow.AddHours(-1),
            prices = new Dictionary<string, long> { ["1"] = -5 },
        });
        var errors = (await backwards.AssertProblemAsync(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("ends_at", out _));
        Assert.True(errors.TryGetProperty("prices", out _));

        var unknownVenue = await catalog.Http.PostJsonAsync("/v1/events", new
        {
            event_name = "Nowhere", venue_id = 42, starts_at = Tomorrow, ends_at = Tomorrow.AddHours(1),
            prices = new Dictionary<string, long> { ["1"] = 100 },
        });
        Assert.True((await unknownVenue.AssertProblemAsync(422)).GetProperty("errors").TryGetProperty("venue_id", out _));

        var firstSectionOnly = venue.GetProperty("sections")[0].Id("section_id").ToString();
        var missingPrice = await catalog.Http.PostJsonAsync("/v1/events", new
        {
            event_name = "Half priced", venue_id = venue.Id("venue_id"), performer_ids = new[] { 7L },
            starts_at = Tomorrow, ends_at = Tomorrow.AddHours(1),
            prices = new Dictionary<string, long> { [firstSectionOnly] = 100 },
        });
        var unprocessable = (await missingPrice.AssertProblemAsync(422)).GetProperty("errors");
        Assert.True(unprocessable.TryGetProperty("prices", out _));
        Assert.True(unprocessable.TryGetProperty("performer_ids", out _));
    }

    [Fact]
    public async Task A_partial_update_that_would_end_an_event_before_it_starts_is_400()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Room " + catalog.Tag, "Bath", ("Floor", 1, 2));
        var created = await catalog.EventAsync(venue, "Talk " + catalog.Tag, Tomorrow);

        var response = await catalog.Http.PatchJsonAsync($"/v1/events/{created.Id("event_id")}", new { ends_at = Tomorrow.AddDays(-2) });

        Assert.True((await response.AssertProblemAsync(400)).GetProperty("errors").TryGetProperty("ends_at", out _));
        await (await catalog.Http.PatchJsonAsync("/v1/events/1", new { event_name = "x" })).AssertProblemAsync(404);
    }

    [Fact]
    public async Task The_refund_policy_is_validated_shown_with_the_event_and_told_to_the_sale()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Policy Hall " + catalog.Tag, "Hull", ("Floor", 1, 2));
        var startsAt = DateTimeOffset.UtcNow.AddDays(20);
        object Body(object? refundableUntil, long fee) => new
        {
            event_name = "Policy " + catalog.Tag, venue_id = venue.Id("venue_id"), starts_at = startsAt, ends_at = startsAt.AddHours(2),
            prices = venue.GetProperty("sections").EnumerateArray().ToDictionary(x => x.Id("section_id").ToString(), _ => 1000L),
            refundable_until = refundableUntil, refund_fee_cents = fee,
        };

        var late = await (await catalog.Http.PostJsonAsync("/v1/events", Body(startsAt.AddHours(1), 0))).AssertProblemAsync(400);
        Assert.True(late.GetProperty("errors").TryGetProperty("refundable_until", out _));
        var negative = await (await catalog.Http.PostJsonAsync("/v1/events", Body(startsAt.AddDays(-1), -5))).AssertProblemAsync(400);
        Assert.True(negative.GetProperty("errors").TryGetProperty("refund_fee_cents", out _));

        var created = await (await catalog.Http.PostJsonAsync("/v1/events", Body(startsAt.AddDays(-2), 150))).ReadJsonAsync();
        var eventId = created.Id("event_id");
        Assert.Equal(150, created.GetProperty("refund_policy").GetProperty("fee_cents").GetInt64());
        var patched = await (await catalog.Http.PatchJsonAsync($"/v1/events/{eventId}", new { refund_fee_cents = 200 })).ReadJsonAsync();
        Assert.Equal(200, patched.GetProperty("refund_policy").GetProperty("fee_cents").GetInt64());
        await (await catalog.Http.PatchJsonAsync($"/v1/events/{eventId}", new { refundable_until = startsAt.AddDays(1) })).AssertProblemAsync(400);

        using var sale = await fixture.ClientAsync("eventsapi", "bookingapi", Roles.BookingService);
        var terms = (await sale.GetJsonAsync($"/v1/admin/catalog/events/{eventId}/sale")).GetProperty("terms");
        Assert.Equal(200, terms.GetProperty("refund_fee_cents").GetInt64());
        Assert.Equal(startsAt.AddDays(-2).ToUnixTimeMilliseconds(), terms.GetProperty("refundable_until").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }
}
