using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using MySqlConnector;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi;

/// <summary>An on-sale event with its seat ids, fans with tokens, and the invariants every booking test ends with.</summary>
public sealed class BookingSetup(AppHostFixture fixture, CatalogSetup catalog, long eventId, IReadOnlyList<long> seatIds, TokenSettings tokens,
    JsonElement venue)
{
    /// <summary>The venue as created: its sections with their ids.</summary>
    public JsonElement Venue => venue;

    public long EventId => eventId;
    public IReadOnlyList<long> SeatIds => seatIds;

    /// <summary>The organizer who created the event, on EventsApi.</summary>
    public CatalogSetup Catalog => catalog;

    public static async Task<BookingSetup> CreateAsync(AppHostFixture fixture, int seats, int maxTicketsPerUser = 8,
        bool waitingRoom = false, DateTimeOffset? onSaleAt = null, CatalogSetup? organizer = null, DateTimeOffset? startsAt = null,
        DateTimeOffset? refundableUntil = null, long refundFeeCents = 0, int? holdSeconds = null,
        (string Name, int Rows, int SeatsPerRow)[]? sections = null)
    {
        var catalog = organizer ?? await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Booking Hall " + catalog.Tag, "Leeds", sections ?? [("Floor", 1, seats)]);
        startsAt ??= DateTimeOffset.UtcNow.AddDays(10);
        var body = JsonSerializer.SerializeToElement(CatalogSetup.EventBody(venue, "Sale " + catalog.Tag, startsAt.Value), TicketMaster.ServiceDefaults.TicketMasterJson.Options);
        var request = JsonSerializer.Deserialize<Dictionary<string, object>>(body.GetRawText())!;
        request["max_tickets_per_user"] = maxTicketsPerUser;
        request["waiting_room"] = waitingRoom;
        if (onSaleAt is not null)
        {
            request["on_sale_at"] = onSaleAt.Value;
        }
        if (holdSeconds is not null)
        {
            request["hold_seconds"] = holdSeconds.Value;
        }
        if (refundableUntil is not null)
        {
            request["refundable_until"] = refundableUntil.Value;
            request["refund_fee_cents"] = refundFeeCents;
        }
        var created = await (await catalog.Http.PostJsonAsync("/v1/events", request)).ReadJsonAsync();
        var eventId = created.Id("event_id");

        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        var map = await anonymous.GetJsonAsync($"/v1/booking/events/{eventId}/seats");
        var seatIds = map.GetProperty("seats").EnumerateArray().Select(s => s.Id("seat_id")).ToList();

        // Tokens are minted here with the signing key the fixture gave the AppHost: hundreds of fans without
        // hundreds of requests.
        return new BookingSetup(fixture, catalog, eventId, seatIds,
            new TokenSettings(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(AppHostFixture.JwtSigningKey))), venue);
    }

    public HttpClient Fan(string userId, params string[] roles)
    {
        var http = fixture.App.CreateHttpClient("bookingapi");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Issue(userId, roles, TimeSpan.FromHours(1)));
        return http;
    }

    /// <summary>A fan whose token carries an email address: their mail goes there.</summary>
    public HttpClient FanWithEmail(string userId, string email)
    {
        var http = fixture.App.CreateHttpClient("bookingapi");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Issue(userId, [], TimeSpan.FromHours(1), email));
        return http;
    }

    /// <summary>The event's owner, on BookingApi.</summary>
    public HttpClient Owner() => Fan(catalog.OrganizerId, Roles.Organizer);

    /// <summary>The owner names the event's door staff (on EventsApi); each then checks tickets in with the staff role.</summary>
    public async Task AssignStaffAsync(params string[] userIds)
    {
        var response = await catalog.Http.PutAsJsonAsync($"/v1/events/{eventId}/staff", new { user_ids = userIds }, TicketMaster.ServiceDefaults.TicketMasterJson.Options);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static Task<HttpResponseMessage> ReserveAsync(HttpClient fan, long eventId, params long[] seatIds) =>
        fan.PostJsonAsync("/v1/booking/reserve", new { event_id = eventId, seat_ids = seatIds });

    /// <summary>Reserves and returns the reservation id; anything but 201 fails the test with the answer's body.</summary>
    public static async Task<string> ReservationIdAsync(HttpClient fan, long eventId, params long[] seatIds) =>
        await ReservationIdOfAsync(await ReserveAsync(fan, eventId, seatIds));

    /// <summary>Best available: the best <paramref name="quantity"/> seats side by side.</summary>
    public static Task<HttpResponseMessage> ReserveBestAsync(HttpClient fan, long eventId, int quantity, long? sectionId = null, long? maxPriceCents = null,
        int? waitSeconds = null) =>
        fan.PostJsonAsync("/v1/booking/reserve",
            new { event_id = eventId, quantity, section_id = sectionId, max_price_cents = maxPriceCents, wait_seconds = waitSeconds });

    public static Task<HttpResponseMessage> ReserveWithPassAsync(HttpClient fan, long eventId, string? pass, params long[] seatIds) =>
        fan.PostJsonAsync("/v1/booking/reserve", new { event_id = eventId, seat_ids = seatIds, queue_pass = pass });

    /// <summary><see cref="ReservationIdAsync"/> for an event sold through its waiting room.</summary>
    public static async Task<string> ReservationIdWithPassAsync(HttpClient fan, long eventId, string pass, params long[] seatIds) =>
        await ReservationIdOfAsync(await ReserveWithPassAsync(fan, eventId, pass, seatIds));

    /// <summary>The fan joins the event's waiting room and waits (up to 10 s) to be admitted → the queue pass.</summary>
    public async Task<string> QueuePassAsync(HttpClient fan)
    {
        var joined = await fan.PostJsonAsync($"/v1/booking/events/{eventId}/queue", new { });
        Assert.True(joined.IsSuccessStatusCode, await joined.Content.ReadAsStringAsync());
        var queueId = (await joined.ReadJsonAsync()).GetProperty("queue_id").GetString();
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        string? pass = null;
        await Eventually.TrueAsync(async () =>
        {
            var status = await anonymous.GetJsonAsync($"/v1/booking/events/{eventId}/queue/{queueId}");
            pass = status.GetProperty("status").GetString() == "admitted" ? status.GetProperty("pass").GetString() : null;
            return pass is not null;
        }, TimeSpan.FromSeconds(10), "the fan is admitted");
        return pass!;
    }

    private static async Task<string> ReservationIdOfAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
    }

    public static Task<HttpResponseMessage> ConfirmAsync(HttpClient fan, string reservationId, string method = "pm_card_visa") =>
        fan.PostJsonAsync("/v1/booking/confirm", new { reservation_id = reservationId, payment_info = new { method } });

    /// <summary>
    /// The invariants, and at the provider: once reconciled, every authorization made for this event's reservations
    /// was captured or voided (none left holding a fan's money), and exactly one was captured per booking.
    /// </summary>
    public async Task AssertSettledAsync()
    {
        await AssertInvariantsAsync();
        var prefix = $"TicketMaster r_{eventId}_";
        await Eventually.TrueAsync(() => Task.FromResult(fixture.Stripe.IntentsOfEvent(prefix).All(i => i.Status is "succeeded" or "canceled" or "requires_action")),
            TimeSpan.FromSeconds(30), "every authorization of the event is captured or voided after reconciling");
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var command = new MySqlCommand("SELECT COUNT(*) FROM booking WHERE event_id = @e", db);
        command.Parameters.AddWithValue("@e", eventId);
        var bookings = Convert.ToInt64(await command.ExecuteScalarAsync());
        Assert.Equal(bookings, fixture.Stripe.IntentsOfEvent(prefix).Count(i => i.Status == "succeeded"));
    }

    /// <summary>
    /// No seat sold twice: every sold seat has one valid ticket of its booking, whose payment was captured, and no seat
    /// two valid tickets. Every refunded ticket's money went back: its refund was settled with the provider, and each
    /// booking's and payment's refunded amounts are the sum of its refunds.
    /// </summary>
    public async Task AssertInvariantsAsync()
    {
        await using (var refunds = new MySqlConnection(await fixture.GetConnectionStringAsync("booking")))
        {
            await refunds.OpenAsync();
            await Eventually.TrueAsync(async () =>
            {
                await using var unsettled = new MySqlCommand("""
                    SELECT (SELECT COUNT(*) FROM ticket t LEFT JOIN refund r ON r.refund_id = t.refund_id
                              WHERE t.event_id = @e AND t.status = 'refunded' AND (r.status IS NULL OR r.status <> 'refunded' OR NOT r.seats_released))
                         + (SELECT COUNT(*) FROM booking b WHERE b.event_id = @e
                              AND b.refunded_cents <> (SELECT COALESCE(SUM(r.amount_cents), 0) FROM refund r WHERE r.booking_id = b.booking_id))
                         + (SELECT COUNT(*) FROM payment p WHERE p.event_id = @e AND p.status = 'captured'
                              AND p.refunded_cents <> (SELECT COALESCE(SUM(r.amount_cents), 0) FROM refund r WHERE r.booking_id = p.booking_id))
                         + (SELECT COUNT(*) FROM payment p WHERE p.event_id = @e AND p.status = 'captured'
                              AND p.amount_cents - p.refunded_cents
                                < (SELECT COALESCE(SUM(t.price_cents), 0) FROM ticket t WHERE t.booking_id = p.booking_id AND t.status = 'valid'))
                    """, refunds);
                unsettled.Parameters.AddWithValue("@e", eventId);
                return Convert.ToInt64(await unsettled.ExecuteScalarAsync()) == 0;
            }, TimeSpan.FromSeconds(30), "every refunded ticket's refund settled, its seats freed, and the amounts add up");
        }

        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var command = new MySqlCommand("""
            SELECT
              (SELECT COUNT(*) FROM event_seat WHERE event_id = @e AND status = 'sold'),
              (SELECT COUNT(*) FROM ticket WHERE event_id = @e AND status = 'valid'),
              (SELECT COUNT(*) FROM event_seat es JOIN ticket t ON t.event_id = es.event_id AND t.seat_id = es.seat_id AND t.booking_id = es.booking_id
                 WHERE es.event_id = @e AND es.status = 'sold' AND t.status = 'valid'),
              (SELECT COUNT(*) FROM ticket t JOIN booking b ON b.booking_id = t.booking_id
                 JOIN payment p ON p.reservation_id = b.reservation_id AND p.booking_id = b.booking_id AND p.status = 'captured'
                 WHERE t.event_id = @e AND t.status = 'valid'),
              (SELECT COUNT(*) FROM payment p WHERE p.event_id = @e AND p.status = 'captured' AND p.booking_id IS NULL)
            """, db);
        command.Parameters.AddWithValue("@e", eventId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (sold, tickets, matched, paid, chargedWithoutBooking) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        Assert.Equal(sold, tickets);
        Assert.Equal(sold, matched);
        Assert.Equal(sold, paid);
        Assert.Equal(0, chargedWithoutBooking);
    }
}
