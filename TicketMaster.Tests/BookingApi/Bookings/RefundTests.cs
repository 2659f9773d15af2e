using System.Net;
using System.Text.Json;
using MySqlConnector;
using TicketMaster.Onsale;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Bookings;

// A fan gives tickets back within the event's refund policy: the money goes back through the provider (less the
// fee), the tickets stop checking in, the seats are on sale again at once (the seat stream says released).
[Collection(AppHostCollection.Name)]
public sealed class RefundTests(AppHostFixture fixture)
{
    private const long Price = 2500;
    private const long Fee = 300;

    private Task<BookingSetup> RefundableSaleAsync(int seats) =>
        BookingSetup.CreateAsync(fixture, seats, refundableUntil: DateTimeOffset.UtcNow.AddDays(5), refundFeeCents: Fee);

    private static async Task<JsonElement> BookAsync(HttpClient fan, BookingSetup sale, params long[] seatIds)
    {
        var response = await BookingSetup.ConfirmAsync(fan, await BookingSetup.ReservationIdAsync(fan, sale.EventId, seatIds));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static Task<HttpResponseMessage> CancelAsync(HttpClient fan, long bookingId, object? body = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/booking/bookings/{bookingId}/cancel")
        {
            Content = JsonContent(body ?? new { }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return fan.SendAsync(request);
    }

    /// <summary>A cancel that must succeed: its answer.</summary>
    private static async Task<JsonElement> CancelledAsync(HttpClient fan, long bookingId, object? body = null, string? idempotencyKey = null)
    {
        var response = await CancelAsync(fan, bookingId, body, idempotencyKey);
        var answer = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"cancel: {(int)response.StatusCode} {answer}");
        return answer;
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body, TicketMaster.ServiceDefaults.TicketMasterJson.Options), System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Cancelling_a_booking_refunds_it_less_the_fee_voids_its_codes_and_puts_the_seats_back_on_sale_at_once()
    {
        var sale = await RefundableSaleAsync(seats: 3);
        using var fan = sale.Fan("refund-fan");
        using var next = sale.Fan("refund-next-fan");
        var booking = await BookAsync(fan, sale, sale.SeatIds[0], sale.SeatIds[1]);
        var bookingId = booking.Id("booking_id");
        var code = booking.GetProperty("check_in_details").GetProperty("tickets")[0].GetProperty("qr_code").GetString()!;
        var intent = fixture.Stripe.IntentsOf(booking.GetProperty("reservation_id").GetString()!).Single(i => i.Status == "succeeded").Id;

        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await using var stream = await SseReader.OpenAsync(anonymous, $"/v1/booking/events/{sale.EventId}/seats/stream");
        Assert.Equal("snapshot", (await stream.NextEventAsync(TimeSpan.FromSeconds(10))).Type);

        var cancelled = await CancelledAsync(fan, bookingId);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(2 * (Price - Fee), cancelled.GetProperty("refunded_cents").GetInt64());
        var refund = cancelled.GetProperty("refund");
        Assert.Equal(2 * Fee, refund.GetProperty("fee_cents").GetInt64());
        Assert.Equal("refunded", refund.GetProperty("status").GetString());
        Assert.Equal(2 * (Price - Fee), fixture.Stripe.RefundedOf(intent));

        // The seats are free at once: announced released, and another fan holds one.
        var released = await stream.NextEventAsync(TimeSpan.FromSeconds(5));
        while (released.Type != "released")
        {
            released = await stream.NextEventAsync(TimeSpan.FromSeconds(5)); // the sale's own "sold", replayed after the snapshot
        }
        using (var data = JsonDocument.Parse(released.Data))
        {
            Assert.Equal(new[] { sale.SeatIds[0], sale.SeatIds[1] }.Order(),
                data.RootElement.GetProperty("seat_ids").EnumerateArray().Select(s => s.GetInt64()).Order());
        }
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(next, sale.EventId, sale.SeatIds[0])).StatusCode);

        // The booking shows its refunded tickets without codes; the old code admits no one.
        var shown = await fan.GetJsonAsync($"/v1/booking/bookings/{bookingId}");
        Assert.Equal("cancelled", shown.GetProperty("status").GetString());
        Assert.All(shown.GetProperty("check_in_details").GetProperty("tickets").EnumerateArray(), t =>
        {
            Assert.Equal("refunded", t.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, t.GetProperty("qr_code").ValueKind);
        });
        await sale.AssignStaffAsync("refund-door");
        using var door = sale.Fan("refund-door", "staff");
        Assert.Equal("Not valid", (await (await door.PostJsonAsync("/v1/booking/check-in", new { qr_code = code })).AssertProblemAsync(410))
            .GetProperty("title").GetString());

        // The catalog's availability gives the seats back.
        using var catalog = await fixture.ClientAsync("eventsapi");
        await Eventually.TrueAsync(async () => (await catalog.GetJsonAsync($"/v1/events/{sale.EventId}")).GetProperty("availability")
            .GetProperty("sold_seats").GetInt64() == 0, TimeSpan.FromSeconds(10), "the catalog counts the refunded seats as available");
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_partial_cancel_is_idempotent_by_key_refuses_what_was_refunded_and_names_tickets_of_other_bookings()
    {
        var sale = await RefundableSaleAsync(seats: 3);
        using var fan = sale.Fan("partial-refund-fan");
        var booking = await BookAsync(fan, sale, sale.SeatIds[0], sale.SeatIds[1], sale.SeatIds[2]);
        var bookingId = booking.Id("booking_id");
        var tickets = booking.GetProperty("check_in_details").GetProperty("tickets").EnumerateArray().Select(t => t.Id("ticket_id")).ToList();

        var first = await CancelledAsync(fan, bookingId, new { ticket_ids = new[] { tickets[0] } }, "partial-1");
        var again = await CancelledAsync(fan, bookingId, new { ticket_ids = new[] { tickets[0] } }, "partial-1");
        Assert.Equal("partially_refunded", first.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("refund").Id("refund_id"), again.GetProperty("refund").Id("refund_id"));
        Assert.Equal(Price - Fee, again.GetProperty("refunded_cents").GetInt64());
        Assert.Equal([tickets[0]], first.GetProperty("refund").GetProperty("ticket_ids").EnumerateArray().Select(t => t.GetInt64()));

        var twice = await (await CancelAsync(fan, bookingId, new { ticket_ids = new[] { tickets[0], tickets[1] } })).AssertProblemAsync(409);
        Assert.Equal([tickets[0]], twice.GetProperty("ticket_ids").EnumerateArray().Select(t => t.GetInt64()));
        await (await CancelAsync(fan, bookingId, new { ticket_ids = new[] { tickets[0] + 1 } })).AssertProblemAsync(422);
        await (await CancelAsync(fan, bookingId, new { ticket_ids = Array.Empty<long>() })).AssertProblemAsync(400);
        using var stranger = sale.Fan("partial-refund-stranger");
        await (await CancelAsync(stranger, bookingId)).AssertProblemAsync(404);

        var rest = await CancelledAsync(fan, bookingId);
        Assert.Equal("cancelled", rest.GetProperty("status").GetString());
        Assert.Equal(3 * (Price - Fee), rest.GetProperty("refunded_cents").GetInt64());
        await (await CancelAsync(fan, bookingId)).AssertProblemAsync(409);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_checked_in_ticket_an_event_without_refunds_and_a_lapsed_refund_period_are_refused()
    {
        var sale = await RefundableSaleAsync(seats: 2);
        using var fan = sale.Fan("refused-refund-fan");
        var booking = await BookAsync(fan, sale, sale.SeatIds[0], sale.SeatIds[1]);
        var ticket = booking.GetProperty("check_in_details").GetProperty("tickets")[0];
        await sale.AssignStaffAsync("refused-refund-door");
        using var door = sale.Fan("refused-refund-door", "staff");
        Assert.Equal(HttpStatusCode.OK, (await door.PostJsonAsync("/v1/booking/check-in", new { qr_code = ticket.GetProperty("qr_code").GetString() })).StatusCode);
        Assert.Equal("Checked in", (await (await CancelAsync(fan, booking.Id("booking_id"), new { ticket_ids = new[] { ticket.Id("ticket_id") } }))
            .AssertProblemAsync(409)).GetProperty("title").GetString());

        var noRefunds = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var other = noRefunds.Fan("no-refunds-fan");
        var kept = await BookAsync(other, noRefunds, noRefunds.SeatIds[0]);
        Assert.Equal("Not refundable", (await (await CancelAsync(other, kept.Id("booking_id"))).AssertProblemAsync(409)).GetProperty("title").GetString());

        var lapsed = await BookingSetup.CreateAsync(fixture, seats: 1, refundableUntil: DateTimeOffset.UtcNow.AddMinutes(-1));
        using var late = lapsed.Fan("late-refund-fan");
        var lateBooking = await BookAsync(late, lapsed, lapsed.SeatIds[0]);
        Assert.Equal("Refund period over", (await (await CancelAsync(late, lateBooking.Id("booking_id"))).AssertProblemAsync(409)).GetProperty("title").GetString());
        await sale.AssertInvariantsAsync();
        await noRefunds.AssertInvariantsAsync();
        await lapsed.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_refund_racing_check_in_lets_exactly_one_of_them_win_for_each_ticket()
    {
        const int bookings = 6;
        var sale = await RefundableSaleAsync(seats: bookings);
        await sale.AssignStaffAsync("race-door");
        using var door = sale.Fan("race-door", "staff");
        var fans = Enumerable.Range(0, bookings).Select(i => sale.Fan($"race-refund-fan-{i}")).ToList();
        var booked = new List<JsonElement>();
        for (var i = 0; i < bookings; i++)
        {
            booked.Add(await BookAsync(fans[i], sale, sale.SeatIds[i]));
        }

        var races = await Task.WhenAll(booked.Select(async (booking, i) =>
        {
            var code = booking.GetProperty("check_in_details").GetProperty("tickets")[0].GetProperty("qr_code").GetString();
            var cancel = CancelAsync(fans[i], booking.Id("booking_id"));
            var checkIn = door.PostJsonAsync("/v1/booking/check-in", new { qr_code = code });
            return ((await cancel).StatusCode, (await checkIn).StatusCode);
        }));

        foreach (var (cancel, checkIn) in races)
        {
            // Refunded first: the check-in finds a void ticket (410). Checked in first: the refund is refused (409).
            Assert.True((cancel, checkIn) is (HttpStatusCode.OK, HttpStatusCode.Gone) or (HttpStatusCode.Conflict, HttpStatusCode.OK),
                $"cancel {(int)cancel}, check-in {(int)checkIn}");
        }
        await AssertCheckedInTicketsAreValidAsync(sale.EventId);
        fans.ForEach(f => f.Dispose());
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Two_refunds_of_one_ticket_at_once_refund_it_once()
    {
        var sale = await RefundableSaleAsync(seats: 1);
        using var fan = sale.Fan("double-refund-fan");
        var booking = await BookAsync(fan, sale, sale.SeatIds[0]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CancelAsync(fan, booking.Id("booking_id"))));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var count = new MySqlCommand("SELECT COUNT(*), SUM(amount_cents) FROM refund WHERE booking_id = @b", db);
        count.Parameters.AddWithValue("@b", booking.Id("booking_id"));
        await using (var reader = await count.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal((1L, (decimal)(Price - Fee)), (reader.GetInt64(0), reader.GetDecimal(1)));
        }
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_refund_racing_a_new_sale_of_its_seat_sells_the_seat_again_exactly_once()
    {
        var sale = await RefundableSaleAsync(seats: 1);
        using var first = sale.Fan("resale-first-fan");
        var buyers = Enumerable.Range(0, 4).Select(i => sale.Fan($"resale-buyer-{i}")).ToList();
        var booking = await BookAsync(first, sale, sale.SeatIds[0]);

        // While the refund runs, four fans try to buy the seat until one of them has it.
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var bought = 0;
        var tries = buyers.Select(async buyer =>
        {
            while (!done.IsCancellationRequested && Volatile.Read(ref bought) == 0)
            {
                var hold = await BookingSetup.ReserveAsync(buyer, sale.EventId, sale.SeatIds[0]);
                if (hold.StatusCode == HttpStatusCode.Created)
                {
                    var reservation = (await hold.ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
                    if ((await BookingSetup.ConfirmAsync(buyer, reservation)).StatusCode == HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref bought);
                    }
                }
                await Task.Delay(50);
            }
        }).ToList();
        Assert.Equal(HttpStatusCode.OK, (await CancelAsync(first, booking.Id("booking_id"))).StatusCode);
        await Task.WhenAll(tries);

        Assert.Equal(1, bought);
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var tickets = new MySqlCommand(
            "SELECT SUM(status = 'valid'), SUM(status = 'refunded') FROM ticket WHERE event_id = @e AND seat_id = @s", db);
        tickets.Parameters.AddWithValue("@e", sale.EventId);
        tickets.Parameters.AddWithValue("@s", sale.SeatIds[0]);
        await using (var reader = await tickets.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal((1m, 1m), (reader.GetDecimal(0), reader.GetDecimal(1)));
        }
        buyers.ForEach(b => b.Dispose());
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_refund_the_provider_refuses_stays_owed_with_its_tickets_void_and_is_given_back_once_the_provider_accepts()
    {
        var sale = await RefundableSaleAsync(seats: 1);
        using var fan = sale.Fan("refused-by-provider-fan");
        var booking = await BookAsync(fan, sale, sale.SeatIds[0]);
        var intent = fixture.Stripe.IntentsOf(booking.GetProperty("reservation_id").GetString()!).Single(i => i.Status == "succeeded").Id;

        fixture.Stripe.RefuseRefunds(true);
        JsonElement cancelled;
        try
        {
            cancelled = await CancelledAsync(fan, booking.Id("booking_id"));
        }
        finally
        {
            fixture.Stripe.RefuseRefunds(false);
        }
        // The tickets are void and the seat on sale at once; the money is owed until the provider takes the refund.
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("pending", cancelled.GetProperty("refund").GetProperty("status").GetString());
        Assert.Equal(0, fixture.Stripe.RefundedOf(intent));

        await Eventually.TrueAsync(() => Task.FromResult(fixture.Stripe.RefundedOf(intent) == Price - Fee), TimeSpan.FromSeconds(30),
            "the settler gave the refund back once the provider accepted it");
        await sale.AssertInvariantsAsync();
        Assert.Equal(Price - Fee, fixture.Stripe.RefundedOf(intent));
    }

    private async Task AssertCheckedInTicketsAreValidAsync(long eventId)
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var command = new MySqlCommand(
            "SELECT COUNT(*) FROM ticket WHERE event_id = @e AND checked_in_at IS NOT NULL AND status <> 'valid'", db);
        command.Parameters.AddWithValue("@e", eventId);
        Assert.Equal(0L, Convert.ToInt64(await command.ExecuteScalarAsync()));
    }
}
