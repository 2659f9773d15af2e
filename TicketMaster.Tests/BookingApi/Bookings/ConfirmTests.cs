using System.Net;
using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Signing;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Bookings;

[Collection(AppHostCollection.Name)]
public sealed class ConfirmTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Confirm_returns_confirmation_number_event_and_check_in_details_and_the_seat_is_sold()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4);
        using var fan = sale.Fan("buyer");
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0], sale.SeatIds[1]);

        var response = await BookingSetup.ConfirmAsync(fan, reservationId);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var booking = await response.ReadJsonAsync();
        Assert.Matches("^[A-HJ-NP-Z2-9]{10}$", booking.GetProperty("confirmation_number").GetString());
        Assert.Equal(sale.EventId, booking.GetProperty("event_details").Id("event_id"));
        var tickets = booking.GetProperty("check_in_details").GetProperty("tickets").EnumerateArray().ToList();
        Assert.Equal(2, tickets.Count);
        Assert.All(tickets, t => Assert.StartsWith("TM2.k1.", t.GetProperty("qr_code").GetString()));
        // Signed with the ticket-code key the AppHost gave BookingApi (k1), not with anything of the JWT key's.
        var ownKey = new TicketCodes(new SigningKeyRing("k1", new Dictionary<string, string> { ["k1"] = AppHostFixture.TicketCodeKey }));
        var jwtKey = new TicketCodes(new SigningKeyRing("k1", new Dictionary<string, string> { ["k1"] = AppHostFixture.JwtSigningKey }));
        Assert.All(tickets, t => Assert.Equal(TicketCodes.Verdict.Valid, ownKey.Verify(t.GetProperty("qr_code").GetString(), out _, out _)));
        Assert.All(tickets, t => Assert.Equal(TicketCodes.Verdict.Forged, jwtKey.Verify(t.GetProperty("qr_code").GetString(), out _, out _)));
        Assert.Equal(booking.GetProperty("event_details").GetProperty("starts_at").GetDateTimeOffset().AddHours(-1),
            booking.GetProperty("check_in_details").GetProperty("gates_open_at").GetDateTimeOffset());

        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await Task.Delay(1100); // the seat map is cached for a second
        var seats = (await anonymous.GetJsonAsync($"/v1/booking/events/{sale.EventId}/seats")).GetProperty("seats").EnumerateArray()
            .ToDictionary(s => s.Id("seat_id"), s => s.GetProperty("status").GetString());
        Assert.Equal("sold", seats[sale.SeatIds[0]]);
        Assert.Equal("available", seats[sale.SeatIds[2]]);
        await (await BookingSetup.ReserveAsync(sale.Fan("too-late"), sale.EventId, sale.SeatIds[1])).AssertProblemAsync(409);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_retried_confirm_returns_the_same_booking_and_charges_once()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var fan = sale.Fan("double-clicker");
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);

        var concurrent = await Task.WhenAll(BookingSetup.ConfirmAsync(fan, reservationId), BookingSetup.ConfirmAsync(fan, reservationId));
        var later = await BookingSetup.ConfirmAsync(fan, reservationId);

        var ids = new List<long>();
        foreach (var response in concurrent.Append(later))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((await response.ReadJsonAsync()).Id("booking_id"));
        }
        Assert.Single(ids.Distinct());
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_declined_card_is_402_and_the_hold_stays_for_another_card()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var fan = sale.Fan("unlucky-card");
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);

        var declined = await (await BookingSetup.ConfirmAsync(fan, reservationId, "pm_card_chargeDeclined")).AssertProblemAsync(402);
        Assert.Equal("generic_decline", declined.GetProperty("decline_code").GetString());
        var authentication = await (await BookingSetup.ConfirmAsync(fan, reservationId, "pm_card_authenticationRequired")).AssertProblemAsync(402);
        Assert.Equal("authentication_required", authentication.GetProperty("decline_code").GetString());
        await (await BookingSetup.ReserveAsync(sale.Fan("waiting-fan"), sale.EventId, sale.SeatIds[0])).AssertProblemAsync(409);

        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(fan, reservationId, "pm_card_visa")).StatusCode);
        // Each try after a decline is a new attempt with its own idempotency key: the provider is really asked again.
        Assert.Equal([$"{reservationId}:1", $"{reservationId}:2", $"{reservationId}:3"], fixture.Stripe.Requests
            .Where(r => r.Path == "/v1/payment_intents" && r.IdempotencyKey?.StartsWith(reservationId, StringComparison.Ordinal) == true)
            .Select(r => r.IdempotencyKey!).Distinct().Order(StringComparer.Ordinal));
        await sale.AssertSettledAsync();
    }

    [Fact]
    public async Task The_expired_holder_and_the_new_holder_racing_to_confirm_sell_the_seat_once_and_the_loser_pays_nothing()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var expired = sale.Fan("lapsed-holder");
        using var current = sale.Fan("new-holder");
        var lapsed = await BookingSetup.ReservationIdAsync(expired, sale.EventId, sale.SeatIds[0]);
        await Task.Delay(AppHostFixture.HoldTtl + TimeSpan.FromSeconds(1));
        var fresh = await BookingSetup.ReservationIdAsync(current, sale.EventId, sale.SeatIds[0]);

        var results = await Task.WhenAll(BookingSetup.ConfirmAsync(expired, lapsed), BookingSetup.ConfirmAsync(current, fresh));

        Assert.Equal(HttpStatusCode.Created, results[1].StatusCode);
        Assert.Equal(HttpStatusCode.Gone, results[0].StatusCode);
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var payment = new MySqlCommand("SELECT COUNT(*) FROM payment WHERE reservation_id = @r AND status IN ('authorized', 'captured')", db);
        payment.Parameters.AddWithValue("@r", lapsed);
        Assert.Equal(0L, Convert.ToInt64(await payment.ExecuteScalarAsync()));
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Many_fans_racing_for_few_seats_end_with_no_seat_sold_twice_and_every_sale_paid()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 10);
        var random = new Random(5);
        var fans = Enumerable.Range(0, 60).Select(i => sale.Fan($"crowd-{i}")).ToList();

        var outcomes = await Task.WhenAll(fans.Select(async fan =>
        {
            var seats = sale.SeatIds.OrderBy(_ => random.Next()).Take(2).ToArray();
            var reserved = await BookingSetup.ReserveAsync(fan, sale.EventId, seats);
            if (reserved.StatusCode != HttpStatusCode.Created)
            {
                return reserved.StatusCode;
            }
            var id = (await reserved.ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
            return (await BookingSetup.ConfirmAsync(fan, id)).StatusCode;
        }));

        Assert.All(outcomes, o => Assert.Contains(o, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.InRange(outcomes.Count(o => o == HttpStatusCode.Created), 1, 5);
        await sale.AssertInvariantsAsync();
        fans.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task Bookings_are_visible_to_their_owner_only()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var owner = sale.Fan("owner-fan");
        using var other = sale.Fan("nosy-fan");
        var bookingId = (await (await BookingSetup.ConfirmAsync(owner, await BookingSetup.ReservationIdAsync(owner, sale.EventId, sale.SeatIds[0]))).ReadJsonAsync()).Id("booking_id");

        Assert.Equal(bookingId, (await owner.GetJsonAsync($"/v1/booking/bookings/{bookingId}")).Id("booking_id"));
        Assert.Contains(bookingId, (await owner.GetJsonAsync("/v1/booking/bookings")).EnumerateArray().Select(b => b.Id("booking_id")));
        await (await other.GetAsync($"/v1/booking/bookings/{bookingId}")).AssertProblemAsync(404);
        Assert.DoesNotContain(bookingId, (await other.GetJsonAsync("/v1/booking/bookings")).EnumerateArray().Select(b => b.Id("booking_id")));
    }

    [Fact]
    public async Task Check_in_admits_a_ticket_once_and_refuses_forged_codes()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var fan = sale.Fan("gig-goer");
        using var staff = sale.Fan("gate-1", "staff");
        await sale.AssignStaffAsync("gate-1");
        var booking = await (await BookingSetup.ConfirmAsync(fan, await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]))).ReadJsonAsync();
        var code = booking.GetProperty("check_in_details").GetProperty("tickets")[0].GetProperty("qr_code").GetString()!;

        await (await fan.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })).AssertProblemAsync(403);
        // Staff of other events, and a user id that differs only in case, are not this event's door staff.
        using var elsewhere = sale.Fan("gate-elsewhere", "staff");
        using var lookalike = sale.Fan("GATE-1", "staff");
        Assert.Equal("Not staff of this event",
            (await (await elsewhere.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })).AssertProblemAsync(403)).GetProperty("title").GetString());
        await (await lookalike.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })).AssertProblemAsync(403);
        Assert.Equal(HttpStatusCode.OK, (await staff.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })).StatusCode);
        await (await staff.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })).AssertProblemAsync(409);

        var forged = code[..code.LastIndexOf('.')] + ".AAAAAAAAAAAAAAAAAAAAAAAA";
        await (await staff.PostJsonAsync("/v1/booking/check-in", new { qr_code = forged })).AssertProblemAsync(403);
        var otherTicket = code.Replace($"TM2.k1.{booking.GetProperty("check_in_details").GetProperty("tickets")[0].Id("ticket_id")}.", "TM2.k1.42.");
        await (await staff.PostJsonAsync("/v1/booking/check-in", new { qr_code = otherTicket })).AssertProblemAsync(403);
        await (await staff.PostJsonAsync("/v1/booking/check-in", new { qr_code = "not a ticket" })).AssertProblemAsync(400);
    }

    [Fact]
    public async Task Ten_gates_scanning_the_same_ticket_at_once_admit_it_exactly_once()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var fan = sale.Fan("twin-scan-fan");
        var booking = await (await BookingSetup.ConfirmAsync(fan, await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]))).ReadJsonAsync();
        var code = booking.GetProperty("check_in_details").GetProperty("tickets")[0].GetProperty("qr_code").GetString()!;
        var gates = Enumerable.Range(0, 10).Select(i => sale.Fan($"gate-{i}", "staff")).ToList();
        await sale.AssignStaffAsync(Enumerable.Range(0, 10).Select(i => $"gate-{i}").ToArray());

        var scans = await Task.WhenAll(gates.Select(gate => gate.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })));

        Assert.Equal(1, scans.Count(s => s.StatusCode == HttpStatusCode.OK));
        Assert.Equal(9, scans.Count(s => s.StatusCode == HttpStatusCode.Conflict));
        gates.ForEach(g => g.Dispose());
    }

    [Fact]
    public async Task Releasing_while_confirming_never_sells_a_seat_without_payment_or_twice()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 20);
        var fans = Enumerable.Range(0, 20).Select(i => sale.Fan($"release-race-{i}")).ToList();
        var reservations = new List<string>();
        for (var i = 0; i < fans.Count; i++)
        {
            reservations.Add(await BookingSetup.ReservationIdAsync(fans[i], sale.EventId, sale.SeatIds[i]));
        }

        // Each fan confirms and releases the same reservation at once; then someone else tries the seat.
        await Task.WhenAll(fans.Select((fan, i) => Task.WhenAll(
            BookingSetup.ConfirmAsync(fan, reservations[i]),
            fan.DeleteAsync($"/v1/booking/reservations/{reservations[i]}"))));
        using var latecomer = sale.Fan("release-race-latecomer");
        await Task.WhenAll(sale.SeatIds.Select(seat => BookingSetup.ReserveAsync(latecomer, sale.EventId, seat)));

        await sale.AssertInvariantsAsync();
        fans.ForEach(f => f.Dispose());
    }
}
