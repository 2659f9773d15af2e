using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Authorization;

// Every endpoint of both APIs, as the running apps describe them (their OpenAPI documents), against every kind of
// caller. An endpoint without a row here fails the test, so nothing new ships without an authorization rule.
// Bodies are valid where the rule needs the request to reach the resource; where only the role matters an invalid
// body shows the caller got past authorization (400) without creating anything.
[Collection(AppHostCollection.Name)]
public sealed class AuthorizationMatrixTests(AppHostFixture fixture)
{
    private enum Caller { Anonymous, Fan, OtherFan, OtherOrganizer, Owner, StaffNotAssigned, StaffAssigned, Admin }

    private static readonly Caller[] Callers = Enum.GetValues<Caller>();

    /// <summary>Path is the OpenAPI template; Bind names which of the world's values fills a parameter when it is not the default one.</summary>
    private sealed record Row(string Service, string Method, string Path, Func<Caller, object?> Body, Dictionary<Caller, int> Expected,
        string? Query = null, (string Parameter, string Value)? Bind = null);

    // Statuses in the order of Callers.
    private static Dictionary<Caller, int> Expect(int anonymous, int fan, int otherFan, int otherOrganizer, int owner, int staffNotAssigned,
        int staffAssigned, int admin) =>
        new()
        {
            [Caller.Anonymous] = anonymous, [Caller.Fan] = fan, [Caller.OtherFan] = otherFan, [Caller.OtherOrganizer] = otherOrganizer,
            [Caller.Owner] = owner, [Caller.StaffNotAssigned] = staffNotAssigned, [Caller.StaffAssigned] = staffAssigned, [Caller.Admin] = admin,
        };

    private static Dictionary<Caller, int> Everyone(int status) => Expect(status, status, status, status, status, status, status, status);

    [Fact]
    public async Task Every_endpoint_answers_every_kind_of_caller_as_its_rule_says()
    {
        var world = await World.CreateAsync(fixture);
        var rows = Rows(world);

        var described = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in new[] { "eventsapi", "bookingapi" })
        {
            using var http = fixture.App.CreateHttpClient(service);
            using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
            foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
            {
                foreach (var method in path.Value.EnumerateObject())
                {
                    described.Add($"{service} {method.Name.ToUpperInvariant()} {path.Name}");
                }
            }
        }
        var covered = rows.Select(r => $"{r.Service} {r.Method} {r.Path}").ToHashSet(StringComparer.Ordinal);
        Assert.True(described.SetEquals(covered),
            $"endpoints without a rule here: [{string.Join(", ", described.Except(covered))}]; rules without an endpoint: [{string.Join(", ", covered.Except(described))}]");

        var mismatches = new List<string>();
        foreach (var row in rows)
        {
            foreach (var caller in Callers)
            {
                using var http = world.Client(row.Service, caller);
                var template = row.Bind is { } bind ? row.Path.Replace(bind.Parameter, bind.Value, StringComparison.Ordinal) : row.Path;
                var path = world.Fill(template) + (row.Query is null ? "" : "?" + world.Fill(row.Query));
                using var request = new HttpRequestMessage(new HttpMethod(row.Method), path);
                if (row.Body(caller) is { } body)
                {
                    request.Content = JsonContent.Create(body, body.GetType(), options: TicketMasterJson.Options);
                }
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var status = (int)response.StatusCode;
                if (status != row.Expected[caller])
                {
                    mismatches.Add($"{row.Method} {row.Path} as {caller}: {status}, expected {row.Expected[caller]}");
                }
                else if (status >= 400)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        await world.Sale.AssertInvariantsAsync();
    }

    private static List<Row> Rows(World w)
    {
        object? None(Caller _) => null;
        object Fixed(Caller _, object body) => body;
        const int ok = 200, created = 201, accepted = 202, noContent = 204, bad = 400, unauthorized = 401, forbidden = 403, notFound = 404;
        var organizerOnly = Expect(unauthorized, forbidden, forbidden, bad, bad, forbidden, forbidden, bad);
        var ownerOnly = (int allowed) => Expect(unauthorized, forbidden, forbidden, notFound, allowed, forbidden, forbidden, allowed);
        var theFansOwn = (int allowed) => Expect(unauthorized, allowed, notFound, notFound, notFound, notFound, notFound, notFound);
        var signedIn = (int allowed) => Expect(unauthorized, allowed, allowed, allowed, allowed, allowed, allowed, allowed);
        return
        [
            // EventsApi
            new("eventsapi", "GET", "/v1/events/search", None, Everyone(ok), "q={tag}"),
            new("eventsapi", "POST", "/v1/admin/reindex", None, Expect(unauthorized, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, accepted)),
            // The Indexer's own role (search-indexer) is pinned in SeedAndReindexTests.
            new("eventsapi", "GET", "/v1/admin/catalog/documents", None, Expect(unauthorized, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, ok)),
            // BookingApi's own role (booking-service) is pinned in SaleListingTests.
            new("eventsapi", "GET", "/v1/admin/catalog/events/{eventId}/sale", None, Expect(unauthorized, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, ok)),
            new("eventsapi", "GET", "/v1/events/{eventId}", None, Everyone(ok)),
            new("eventsapi", "GET", "/v1/events", None, Everyone(ok), "id={eventId}"),
            // Creating on the owner's venue: another organizer is told it is no venue of theirs.
            new("eventsapi", "POST", "/v1/events", _ => w.EventBody(), Expect(unauthorized, forbidden, forbidden, 422, created, forbidden, forbidden, created)),
            new("eventsapi", "PATCH", "/v1/events/{eventId}", c => Fixed(c, new { description = $"Updated by {c}" }), ownerOnly(ok)),
            new("eventsapi", "GET", "/v1/events/{eventId}/staff", None, ownerOnly(ok)),
            new("eventsapi", "PUT", "/v1/events/{eventId}/staff", c => Fixed(c, new { user_ids = new[] { w.StaffId } }), ownerOnly(ok)),
            new("eventsapi", "POST", "/v1/venues", c => Fixed(c, new { }), organizerOnly),
            new("eventsapi", "GET", "/v1/venues", None, Expect(unauthorized, forbidden, forbidden, ok, ok, forbidden, forbidden, ok)),
            new("eventsapi", "GET", "/v1/events/mine", None, Expect(unauthorized, forbidden, forbidden, ok, ok, forbidden, forbidden, ok)),
            new("eventsapi", "POST", "/v1/performers", c => Fixed(c, new { }), organizerOnly),
            new("eventsapi", "POST", "/v1/dev/tokens", c => Fixed(c, new { user_id = "matrix-minted" }), Everyone(ok)),
            new("eventsapi", "POST", "/v1/dev/seed", c => Fixed(c, new { events = 0 }), organizerOnly),
            // BookingApi
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/seats", None, Everyone(ok)),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/seats/stream", None, Everyone(ok)),
            new("bookingapi", "POST", "/v1/booking/events/{eventId}/queue", None, Expect(unauthorized, created, created, created, created, created, created, created), Bind: (Parameter: "{eventId}", Value: "{roomEventId}")),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/queue", None, Everyone(ok), Bind: (Parameter: "{eventId}", Value: "{roomEventId}")),
            new("bookingapi", "PUT", "/v1/booking/events/{eventId}/queue/admission", c => Fixed(c, new { admissions_per_second = 50 }), ownerOnly(noContent),
                Bind: (Parameter: "{eventId}", Value: "{roomEventId}")),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/queue/admission", None, ownerOnly(ok),
                Bind: (Parameter: "{eventId}", Value: "{roomEventId}")),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/queue/{queueId}", None, Everyone(ok), Bind: (Parameter: "{eventId}", Value: "{roomEventId}")),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/queue/{queueId}/stream", None, Everyone(ok), Bind: (Parameter: "{eventId}", Value: "{roomEventId}")),
            new("bookingapi", "POST", "/v1/booking/reserve", c => Fixed(c, new { event_id = w.Sale.EventId, seat_ids = new[] { w.FreeSeat(c) } }), signedIn(created)),
            new("bookingapi", "GET", "/v1/booking/reservations/{reservationId}", None, theFansOwn(ok),
                Bind: (Parameter: "{reservationId}", Value: "{releasable}")),
            new("bookingapi", "POST", "/v1/booking/reservations/{reservationId}/keep-alive", None, theFansOwn(ok),
                Bind: (Parameter: "{reservationId}", Value: "{releasable}")),
            new("bookingapi", "DELETE", "/v1/booking/reservations/{reservationId}", None, theFansOwn(noContent),
                Bind: (Parameter: "{reservationId}", Value: "{releasable}")),
            new("bookingapi", "POST", "/v1/booking/confirm", c => Fixed(c, new { reservation_id = w.Confirmable, payment_info = new { method = "pm_card_visa" } }),
                theFansOwn(created)),
            new("bookingapi", "GET", "/v1/booking/confirmations/{reservationId}", None, theFansOwn(ok),
                Bind: (Parameter: "{reservationId}", Value: "{booked}")),
            new("bookingapi", "GET", "/v1/booking/bookings", None, signedIn(ok)),
            new("bookingapi", "GET", "/v1/booking/bookings/{bookingId}", None, theFansOwn(ok)),
            // The matrix's event offers no refunds: its fan is refused (409), everyone else learns nothing of the booking.
            new("bookingapi", "POST", "/v1/booking/bookings/{bookingId}/cancel", c => Fixed(c, new { }), theFansOwn(409)),
            new("bookingapi", "GET", "/v1/booking/tickets", None, signedIn(ok)),
            // Its holder may not give it to themself (422); nobody else learns of the ticket.
            new("bookingapi", "POST", "/v1/booking/tickets/{ticketId}/transfer", c => Fixed(c, new { to_user_id = w.FanId }), theFansOwn(422)),
            // Door staff of this event only (the admin comes after the staff member admitted it: already checked in).
            new("bookingapi", "POST", "/v1/booking/check-in", c => Fixed(c, new { qr_code = w.TicketCode }),
                Expect(unauthorized, forbidden, forbidden, forbidden, forbidden, forbidden, ok, 409)),
            new("bookingapi", "GET", "/v1/booking/admin/events/{eventId}/invariants", None, ownerOnly(ok)),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/cancellation", None, ownerOnly(ok)),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/sales", None, ownerOnly(ok)),
            new("bookingapi", "GET", "/v1/booking/events/{eventId}/sales/stream", None, ownerOnly(ok)),
            // Stripe signs its calls: no token is asked for, and an unsigned call is refused as such.
            new("bookingapi", "POST", "/v1/payments/stripe/webhook", c => Fixed(c, new { id = "evt_unsigned" }), Everyone(bad)),
        ];
    }

    /// <summary>An owner's sale (with a sold ticket, a releasable and a confirmable hold of the fan's) and a waiting-room event.</summary>
    private sealed class World
    {
        private readonly AppHostFixture _fixture;
        private readonly TokenSettings _tokens = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(
            System.Text.Encoding.UTF8.GetBytes(AppHostFixture.JwtSigningKey)));
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

        private World(AppHostFixture fixture, BookingSetup sale) => (_fixture, Sale) = (fixture, sale);

        public BookingSetup Sale { get; }
        public string StaffId => $"matrix-staff-assigned-{_tag}";
        public string FanId => $"matrix-fan-{_tag}";
        public string Confirmable { get; private set; } = "";
        public string TicketCode { get; private set; } = "";
        public JsonElement Venue { get; private set; }

        public static async Task<World> CreateAsync(AppHostFixture fixture)
        {
            var sale = await BookingSetup.CreateAsync(fixture, seats: 16, holdSeconds: 120); // the holds made up front outlive the whole matrix
            var world = new World(fixture, sale);
            await sale.AssignStaffAsync(world.StaffId);
            using var fan = world.Client("bookingapi", Caller.Fan);
            var booked = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);
            var booking = await (await BookingSetup.ConfirmAsync(fan, booked)).ReadJsonAsync();
            world.TicketCode = booking.GetProperty("check_in_details").GetProperty("tickets")[0].GetProperty("qr_code").GetString()!;
            world.Confirmable = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[1]);
            var releasable = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[2]);

            var room = await BookingSetup.CreateAsync(fixture, seats: 2, waitingRoom: true, organizer: sale.Catalog);
            using var joiner = sale.Fan($"matrix-queue-setup-{world._tag}");
            var joined = await (await joiner.PostAsync($"/v1/booking/events/{room.EventId}/queue", null)).ReadJsonAsync();
            world.Venue = await sale.Catalog.VenueAsync($"Matrix Hall {world._tag}", "York", ("Floor", 1, 2));

            world._values["{eventId}"] = sale.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            world._values["{roomEventId}"] = room.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            world._values["{queueId}"] = joined.GetProperty("queue_id").GetString()!;
            world._values["{releasable}"] = releasable;
            world._values["{booked}"] = booked;
            world._values["{bookingId}"] = booking.Id("booking_id").ToString(System.Globalization.CultureInfo.InvariantCulture);
            world._values["{ticketId}"] = booking.GetProperty("check_in_details").GetProperty("tickets")[0].Id("ticket_id")
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
            world._values["{tag}"] = sale.Catalog.Tag;
            return world;
        }

        public string Fill(string template) => _values.Aggregate(template, (text, value) => text.Replace(value.Key, value.Value, StringComparison.Ordinal));

        /// <summary>A seat of the sale nobody holds yet, one per caller.</summary>
        public long FreeSeat(Caller caller) => Sale.SeatIds[4 + (int)caller];

        public object EventBody() => EventsApi.CatalogSetup.EventBody(Venue, $"Matrix {_tag}", DateTimeOffset.UtcNow.AddDays(30));

        public HttpClient Client(string service, Caller caller)
        {
            var http = _fixture.App.CreateHttpClient(service);
            var (userId, roles) = caller switch
            {
                Caller.Anonymous => (null, Array.Empty<string>()),
                Caller.Fan => (FanId, []),
                Caller.OtherFan => ($"matrix-other-fan-{_tag}", []),
                Caller.OtherOrganizer => ($"matrix-other-organizer-{_tag}", [Roles.Organizer]),
                Caller.Owner => (Sale.Catalog.OrganizerId, [Roles.Organizer]),
                Caller.StaffNotAssigned => ($"matrix-staff-{_tag}", [Roles.Staff]),
                Caller.StaffAssigned => (StaffId, [Roles.Staff]),
                Caller.Admin => ($"matrix-admin-{_tag}", new[] { Roles.Admin }),
                _ => throw new ArgumentOutOfRangeException(nameof(caller)),
            };
            if (userId is not null)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Issue(userId, roles, TimeSpan.FromMinutes(30)));
            }
            return http;
        }
    }
}
