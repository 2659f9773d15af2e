using System.Net;
using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.Messaging;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.WriteQueue;

[Collection(AppHostCollection.Name)]
public sealed class QueuedWriteTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Forty_concurrent_confirms_through_the_queue_all_book_with_every_invariant_kept()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 40);
        var fans = sale.SeatIds.Select((_, i) => sale.Fan($"queued-fan-{i}")).ToList();
        var reservations = await Task.WhenAll(fans.Select(async (fan, i) =>
            (await (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[i])).ReadJsonAsync()).GetProperty("reservation_id").GetString()!));

        var confirms = await Task.WhenAll(fans.Select((fan, i) => BookingSetup.ConfirmAsync(fan, reservations[i])));

        Assert.All(confirms, c => Assert.Equal(HttpStatusCode.Created, c.StatusCode));
        var numbers = await Task.WhenAll(confirms.Select(async c => (await c.ReadJsonAsync()).GetProperty("confirmation_number").GetString()));
        Assert.Equal(40, numbers.Distinct().Count());
        // The status URL a 202 would point to tells the same story.
        var status = await fans[0].GetJsonAsync($"/v1/booking/confirmations/{reservations[0]}");
        Assert.Equal("confirmed", status.GetProperty("status").GetString());
        fans.ForEach(f => f.Dispose());
        await sale.AssertInvariantsAsync();
    }

    // The queued writer cannot answer within Booking:QueuedWriteTimeout (5 s) while this test holds the seat's row
    // lock, so the confirm answers 202 with its status URL. The tests' reconciler settles payments untouched for 3 s
    // (ReconcileAfter; 2 min by default): it voids the authorization, since no booking has it, and the write that runs
    // once the lock goes must then book nothing — the seat stays free and nobody is charged.
    [Fact]
    public async Task A_confirm_the_writer_cannot_answer_in_time_is_202_and_a_write_later_than_the_reconciler_books_nothing()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var fan = sale.Fan("slow-write-fan");
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);
        var statusUrl = $"/v1/booking/confirmations/{reservationId}";

        await using var blocker = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await blocker.OpenAsync();
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using var lockSeat = new MySqlCommand("SELECT seat_id FROM event_seat WHERE event_id = @e AND seat_id = @s FOR UPDATE",
                blocker, transaction);
            lockSeat.Parameters.AddWithValue("@e", sale.EventId);
            lockSeat.Parameters.AddWithValue("@s", sale.SeatIds[0]);
            await lockSeat.ExecuteScalarAsync();

            var confirm = await BookingSetup.ConfirmAsync(fan, reservationId);

            Assert.Equal(HttpStatusCode.Accepted, confirm.StatusCode);
            Assert.Equal(statusUrl, confirm.Headers.Location?.OriginalString);
            Assert.Equal("pending", (await confirm.ReadJsonAsync()).GetProperty("status").GetString());
            await Eventually.TrueAsync(async () => (await fan.GetJsonAsync(statusUrl)).GetProperty("status").GetString() == "failed",
                TimeSpan.FromSeconds(20), "the reconciler voids the authorization no booking has");
            await transaction.RollbackAsync();
        }

        // The write now runs (the lock is gone) and must lose to the void: give it time, then look.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal("failed", (await fan.GetJsonAsync(statusUrl)).GetProperty("status").GetString());
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var check = new MySqlCommand("""
            SELECT (SELECT status FROM event_seat WHERE event_id = @e AND seat_id = @s),
                   (SELECT COUNT(*) FROM booking WHERE reservation_id = @r),
                   (SELECT status FROM payment WHERE reservation_id = @r)
            """, db);
        check.Parameters.AddWithValue("@e", sale.EventId);
        check.Parameters.AddWithValue("@s", sale.SeatIds[0]);
        check.Parameters.AddWithValue("@r", reservationId);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(("available", 0L, "voided"), (reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task In_one_batch_each_reservation_books_or_fails_on_its_own()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4);
        await using var writes = await DirectWrites.CreateAsync(fixture);
        var (ledger, writer, dataSource) = (writes.Ledger, writes.Writer, writes.DataSource);
        async Task<BookingWrite> PaidAsync(string user, params long[] seats)
        {
            var reservation = new Reservation(Reservation.NewId(sale.EventId, user, null), sale.EventId, user, seats, DateTimeOffset.UtcNow.AddMinutes(5));
            var attempt = await ledger.BeginAsync(reservation.ReservationId, user, sale.EventId, 100, "simulated", "pm_card_visa", reservation.ExpiresAt, default);
            return new BookingWrite(reservation, 100, "sim_pi_" + reservation.ReservationId, attempt.Attempt);
        }
        var first = await PaidAsync("batch-a", sale.SeatIds[0], sale.SeatIds[1]);
        var overlapping = await PaidAsync("batch-b", sale.SeatIds[1], sale.SeatIds[2]); // loses seat 1 to the first
        var voided = await PaidAsync("batch-c", sale.SeatIds[3]);
        // as the reconciler would
        Assert.True(await ledger.ClaimForVoidAsync(voided.Reservation.ReservationId, voided.PaymentAttempt, default));
        await ledger.MarkAsync(voided.Reservation.ReservationId, voided.PaymentAttempt, PaymentStatuses.Voided, default);
        var independent = await PaidAsync("batch-d", sale.SeatIds[2]);

        var results = await writer.WriteBatchAsync([first, overlapping, voided, independent, first], default);

        Assert.Equal([WriteOutcome.Booked, WriteOutcome.Lost, WriteOutcome.Lost, WriteOutcome.Booked, WriteOutcome.AlreadyBooked],
            results.Select(r => r.Outcome));
        Assert.Equal(results[0].BookingId, results[4].BookingId); // a redelivered write finds its booking
        await using var db = await dataSource.OpenConnectionAsync();
        await using var check = new MySqlCommand(
            "SELECT seat_id, status, booking_id FROM event_seat WHERE event_id = @e ORDER BY seat_id", db);
        check.Parameters.AddWithValue("@e", sale.EventId);
        var rows = new Dictionary<long, (string Status, long? Booking)>();
        await using (var reader = await check.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows[reader.GetInt64(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2));
            }
        }
        Assert.Equal(("sold", (long?)results[0].BookingId), rows[sale.SeatIds[0]]);
        Assert.Equal(("sold", (long?)results[0].BookingId), rows[sale.SeatIds[1]]);
        Assert.Equal(("sold", (long?)results[3].BookingId), rows[sale.SeatIds[2]]); // the loser's rollback left it free
        Assert.Equal(("available", (long?)null), rows[sale.SeatIds[3]]); // a voided payment books nothing
        Assert.Equal(PaymentStatuses.Authorized, await ledger.StatusAsync(first.Reservation.ReservationId, "batch-a", default));
        Assert.Equal(PaymentStatuses.Authorizing, await ledger.StatusAsync(overlapping.Reservation.ReservationId, "batch-b", default));
    }
}
