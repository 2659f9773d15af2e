using System.Net;
using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Messaging;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Booking;

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

    [Fact]
    public async Task In_one_batch_each_reservation_books_or_fails_on_its_own()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4);
        await using var dataSource = new MySqlDataSource(await fixture.GetConnectionStringAsync("mysql"));
        var ledger = new PaymentLedger(dataSource);
        await using var writerSource = new MySqlDataSource(BookingWriter.ConnectionString(await fixture.GetConnectionStringAsync("mysql")));
        var writer = new BookingWriter(writerSource, new Outbox(new OutboxSignal()));
        async Task<BookingWrite> PaidAsync(string user, params long[] seats)
        {
            var reservation = new Reservation(Reservation.NewId(sale.EventId, user, null), sale.EventId, user, seats, DateTimeOffset.UtcNow.AddMinutes(5));
            await ledger.BeginAsync(reservation.ReservationId, user, sale.EventId, 100, "simulated", reservation.ReservationId, "pm_card_visa", default);
            return new BookingWrite(reservation, 100, "sim_pi_" + reservation.ReservationId);
        }
        var first = await PaidAsync("batch-a", sale.SeatIds[0], sale.SeatIds[1]);
        var overlapping = await PaidAsync("batch-b", sale.SeatIds[1], sale.SeatIds[2]); // loses seat 1 to the first
        var voided = await PaidAsync("batch-c", sale.SeatIds[3]);
        await ledger.MarkAsync(voided.Reservation.ReservationId, PaymentStatuses.Voided, null, default); // as the reconciler would
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
