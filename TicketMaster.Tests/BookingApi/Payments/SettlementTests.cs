using System.Net;
using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.Tests.BookingApi.WriteQueue;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Payments;

// Settlement with the provider speaking Stripe's wire format (the run's BookingApi pays through FakeStripeServer).
// The tests' reconciler settles payments untouched for 3 s (ReconcileAfter) every second; holds live 6 s.
[Collection(AppHostCollection.Name)]
public sealed class SettlementTests(AppHostFixture fixture)
{
    // The writer is held up past the reconciler's quiet time (a row lock the test holds) while the hold still lives:
    // the reconciler must leave the authorization alone, so the fan's confirm books once the lock goes.
    [Fact]
    public async Task A_payment_is_never_voided_while_its_hold_lives()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var fan = sale.Fan("patient-payer");
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);

        await using var blocker = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await blocker.OpenAsync();
        var transaction = await blocker.BeginTransactionAsync();
        await using (var lockSeat = new MySqlCommand("SELECT seat_id FROM event_seat WHERE event_id = @e AND seat_id = @s FOR UPDATE", blocker, transaction))
        {
            lockSeat.Parameters.AddWithValue("@e", sale.EventId);
            lockSeat.Parameters.AddWithValue("@s", sale.SeatIds[0]);
            await lockSeat.ExecuteScalarAsync();
        }
        var confirm = BookingSetup.ConfirmAsync(fan, reservationId);
        // Past ReconcileAfter (3 s) with the hold (6 s) still alive, and before the confirm's own 5 s wait runs out.
        await Task.Delay(TimeSpan.FromSeconds(4.2));
        await transaction.RollbackAsync();
        await transaction.DisposeAsync();

        var response = await confirm;
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal([(fixture.Stripe.IntentsOf(reservationId)[0].Id, "succeeded")], fixture.Stripe.IntentsOf(reservationId));
        await sale.AssertSettledAsync();
    }

    // A retried confirm after a void must not reuse the voided attempt's idempotency key: the provider would replay the
    // voided authorization and the booking would be "paid" by a cancelled intent. A new attempt has a new key and intent.
    [Fact]
    public async Task After_a_void_the_next_attempt_authorizes_anew_and_only_it_can_book()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        await using var writes = await DirectWrites.CreateAsync(fixture);
        var (ledger, writer) = (writes.Ledger, writes.Writer);
        var gateway = new StripePaymentGateway(new StripeOptions { ApiKey = "sk_test_local_fake", ApiBase = fixture.Stripe.BaseAddress });
        var reservation = new Reservation(Reservation.NewId(sale.EventId, "twice-tried", null), sale.EventId, "twice-tried", [sale.SeatIds[0]],
            DateTimeOffset.UtcNow.AddMinutes(5));
        async Task<(PaymentAttempt Attempt, string Intent)> AuthorizeAsync()
        {
            var attempt = await ledger.BeginAsync(reservation.ReservationId, reservation.UserId, sale.EventId, 2500, gateway.Name, "pm_card_visa",
                reservation.ExpiresAt, default);
            var authorized = Assert.IsType<AuthorizationResult.Authorized>(await gateway.AuthorizeAsync(
                new PaymentRequest(attempt.IdempotencyKey, 2500, "usd", attempt.Method, $"TicketMaster {reservation.ReservationId}"), default));
            return (attempt, authorized.ProviderRef);
        }

        var (first, voidedIntent) = await AuthorizeAsync();
        Assert.True(await ledger.ClaimForVoidAsync(reservation.ReservationId, first.Attempt, default)); // as the reconciler does
        await gateway.VoidAsync(voidedIntent, first.IdempotencyKey + ":void", default);
        await ledger.MarkAsync(reservation.ReservationId, first.Attempt, PaymentStatuses.Voided, default);
        var (second, freshIntent) = await AuthorizeAsync();

        Assert.Equal((1, 2), (first.Attempt, second.Attempt));
        Assert.NotEqual(first.IdempotencyKey, second.IdempotencyKey);
        Assert.NotEqual(voidedIntent, freshIntent);
        Assert.Equal(("canceled", "requires_capture"), (fixture.Stripe.StatusOf(voidedIntent), fixture.Stripe.StatusOf(freshIntent)));
        Assert.Equal(WriteOutcome.Lost, (await writer.WriteAsync(new BookingWrite(reservation, 2500, voidedIntent, first.Attempt), default)).Outcome);
        Assert.Equal(WriteOutcome.Booked, (await writer.WriteAsync(new BookingWrite(reservation, 2500, freshIntent, second.Attempt), default)).Outcome);
        await gateway.CaptureAsync(freshIntent, second.IdempotencyKey + ":capture", default);
        await ledger.MarkCapturedAsync(reservation.ReservationId);
        await sale.AssertSettledAsync();
    }

    // Two bookings whose captures the provider refused at confirm time; the older one keeps being refused. The
    // reconciler must capture the other regardless (each row on its own), postpone the refused one with its failures
    // counted, and capture it as soon as the provider accepts.
    [Fact]
    public async Task A_capture_that_keeps_failing_is_retried_on_its_own_and_never_blocks_the_others()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var stuck = sale.Fan("capture-stuck");
        using var healing = sale.Fan("capture-healing");
        var stuckReservation = await BookingSetup.ReservationIdAsync(stuck, sale.EventId, sale.SeatIds[0]);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(stuck, stuckReservation, FakeStripeServer.CaptureFailsMethod)).StatusCode);
        var healingReservation = await BookingSetup.ReservationIdAsync(healing, sale.EventId, sale.SeatIds[1]);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(healing, healingReservation, FakeStripeServer.CaptureFailsMethod)).StatusCode);
        Assert.Equal(("authorized", "authorized"), (await PaymentAsync(stuckReservation), await PaymentAsync(healingReservation)));

        fixture.Stripe.AllowCapture(fixture.Stripe.IntentsOf(healingReservation).Single().Id);

        await Eventually.TrueAsync(async () => await PaymentAsync(healingReservation) == "captured", TimeSpan.FromSeconds(30),
            "the reconciler captures the booking the provider accepts, past the one it refuses");
        Assert.Equal("authorized", await PaymentAsync(stuckReservation));
        Assert.True(await SettleFailuresAsync(stuckReservation) >= 1, "the refused capture is counted and postponed");

        fixture.Stripe.AllowCapture(fixture.Stripe.IntentsOf(stuckReservation).Single().Id);
        await Eventually.TrueAsync(async () => await PaymentAsync(stuckReservation) == "captured", TimeSpan.FromSeconds(30),
            "a postponed capture is tried again until the provider accepts");
        await sale.AssertSettledAsync();
    }

    // A double submit with two cards: both confirms share the reservation's live attempt, so at most one card is ever
    // authorized; the other is told a payment is in progress.
    [Fact]
    public async Task Concurrent_confirms_of_one_reservation_with_different_cards_leave_exactly_one_authorization()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var fan = sale.Fan("two-cards");
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);

        var confirms = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            BookingSetup.ConfirmAsync(fan, reservationId, i % 2 == 0 ? "pm_card_visa" : "pm_card_mastercard")));

        Assert.All(confirms, c => Assert.True(c.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, c.StatusCode.ToString()));
        var booked = await Task.WhenAll(confirms.Where(c => c.StatusCode == HttpStatusCode.Created).Select(async c => (await c.ReadJsonAsync()).Id("booking_id")));
        Assert.Single(booked.Distinct());
        Assert.Equal([(fixture.Stripe.IntentsOf(reservationId)[0].Id, "succeeded")], fixture.Stripe.IntentsOf(reservationId));
        await sale.AssertSettledAsync();
    }

    private async Task<string?> PaymentAsync(string reservationId) =>
        (string?)await ScalarAsync("SELECT status FROM payment WHERE reservation_id = @r", reservationId);

    private async Task<int> SettleFailuresAsync(string reservationId) =>
        Convert.ToInt32(await ScalarAsync("SELECT settle_failures FROM payment WHERE reservation_id = @r", reservationId));

    private async Task<object?> ScalarAsync(string sql, string reservationId)
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var command = new MySqlCommand(sql, db);
        command.Parameters.AddWithValue("@r", reservationId);
        return await command.ExecuteScalarAsync();
    }
}
