using System.Security.Cryptography;
using MySqlConnector;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Messaging;

namespace TicketMaster.BookingApi.Bookings;

public enum WriteOutcome { Booked, Lost, AlreadyBooked }

/// <summary>What a confirm asks the database to record: the reservation's seats, paid by this authorization.</summary>
public sealed record BookingWrite(Reservation Reservation, long TotalCents, string PaymentRef);

public sealed record WrittenTicket(long TicketId, long SeatId);

/// <summary>Booked: the new booking; AlreadyBooked: the booking an earlier attempt made (id only); Lost: nothing.</summary>
public sealed record WriteResult(WriteOutcome Outcome, long BookingId, string? ConfirmationNumber, IReadOnlyList<WrittenTicket> Tickets)
{
    public static readonly WriteResult Lost = new(WriteOutcome.Lost, 0, null, []);
}

// DESIGN §3 step 2, the one place a seat becomes sold. Redis holds only make collisions rare; this makes them
// impossible: the conditional UPDATE flips exactly the seats that are still available and the payment joins only
// if the reconciler has not voided it; unless both hold for the whole reservation, that reservation's part is
// rolled back to its savepoint. UNIQUE(event_id, seat_id) on ticket backs it up. A batch (the queued writer)
// records many reservations in one transaction; each still succeeds or fails on its own.
public sealed class BookingWriter(MySqlDataSource dataSource, Outbox outbox)
{
    private const string ConfirmationAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I
    private const int MaxAttempts = 5;

    public async Task<WriteResult> WriteAsync(BookingWrite write, CancellationToken cancellationToken) =>
        (await WriteBatchAsync([write], cancellationToken))[0];

    public async Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<BookingWrite> writes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryWriteBatchAsync(writes, cancellationToken);
            }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && ex.Message.Contains("confirmation_number") && attempt < MaxAttempts)
            {
                // 32^10 codes make this vanishingly rare; draw others.
            }
            catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout && attempt < MaxAttempts)
            {
                // InnoDB picked this transaction as a deadlock victim (busy sales interleave index and foreign-key
                // locks); it was rolled back whole, so running it again is safe.
                await Task.Delay(Random.Shared.Next(5, 25) * attempt, cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<WriteResult>> TryWriteBatchAsync(IReadOnlyList<BookingWrite> writes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var results = new List<WriteResult>(writes.Count);
        foreach (var write in writes)
        {
            results.Add(await TryWriteOneAsync(connection, transaction, write, cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        if (results.Any(r => r.Outcome == WriteOutcome.Booked))
        {
            outbox.NotifyCommitted();
        }
        return results;
    }

    private static async Task<WriteResult> TryWriteOneAsync(MySqlConnection connection, MySqlTransaction transaction, BookingWrite write,
        CancellationToken cancellationToken)
    {
        var reservation = write.Reservation;
        var bookingId = Ids.New();
        var seats = string.Join(',', reservation.SeatIds);

        // Round trip 1: claim the seats and the payment. Both UPDATEs count their rows into one total, which is
        // the seat count + 1 exactly when every seat was available and the payment was still unvoided.
        await using (var claim = new MySqlCommand($"""
            SAVEPOINT booking_write;
            UPDATE event_seat SET status = 'sold', booking_id = @booking
            WHERE event_id = @event AND seat_id IN ({seats}) AND status = 'available';
            UPDATE payment SET booking_id = @booking, status = 'authorized', provider_ref = @payment, updated_at = CURRENT_TIMESTAMP(3)
            WHERE reservation_id = @reservation AND booking_id IS NULL AND status IN ('authorizing', 'authorized');
            """, connection, transaction))
        {
            claim.Parameters.AddWithValue("@booking", bookingId);
            claim.Parameters.AddWithValue("@event", reservation.EventId);
            claim.Parameters.AddWithValue("@reservation", reservation.ReservationId);
            claim.Parameters.AddWithValue("@payment", write.PaymentRef);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) != reservation.SeatIds.Count + 1)
            {
                await using var undo = new MySqlCommand("ROLLBACK TO SAVEPOINT booking_write", connection, transaction);
                await undo.ExecuteNonQueryAsync(cancellationToken);
                // A retried confirm (or a redelivered queue message) finds its own earlier booking here.
                await using var earlier = new MySqlCommand("SELECT booking_id FROM booking WHERE reservation_id = @reservation", connection, transaction);
                earlier.Parameters.AddWithValue("@reservation", reservation.ReservationId);
                return await earlier.ExecuteScalarAsync(cancellationToken) is long existing
                    ? new WriteResult(WriteOutcome.AlreadyBooked, existing, null, [])
                    : WriteResult.Lost;
            }
        }

        // Round trip 2: the booking, its tickets and the outbox row that announces it.
        var confirmation = string.Concat(RandomNumberGenerator.GetItems<char>(ConfirmationAlphabet, 10));
        var tickets = reservation.SeatIds.Select(seat => new WrittenTicket(Ids.New(), seat)).ToList();
        await using (var insert = new MySqlCommand($"""
            INSERT INTO `user` (user_id) VALUES (@user) ON DUPLICATE KEY UPDATE user_id = user_id;
            INSERT INTO booking (booking_id, confirmation_number, reservation_id, user_id, event_id, status, total_cents, payment_ref)
            VALUES (@booking, @confirmation, @reservation, @user, @event, 'confirmed', @total, @payment);
            INSERT INTO ticket (ticket_id, booking_id, event_id, seat_id, price_cents)
            SELECT ids.ticket_id, @booking, es.event_id, es.seat_id, es.price_cents
            FROM event_seat es JOIN (SELECT {string.Join(" UNION ALL SELECT ", tickets.Select(t => $"{t.TicketId} AS ticket_id, {t.SeatId} AS seat_id"))}) ids
              ON ids.seat_id = es.seat_id
            WHERE es.event_id = @event;
            {Outbox.InsertSql}
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("@booking", bookingId);
            insert.Parameters.AddWithValue("@confirmation", confirmation);
            insert.Parameters.AddWithValue("@reservation", reservation.ReservationId);
            insert.Parameters.AddWithValue("@user", reservation.UserId);
            insert.Parameters.AddWithValue("@event", reservation.EventId);
            insert.Parameters.AddWithValue("@total", write.TotalCents);
            insert.Parameters.AddWithValue("@payment", write.PaymentRef);
            Outbox.AddParameters(insert, "booking", bookingId, "booking.confirmed", new
            {
                booking_id = bookingId,
                reservation_id = reservation.ReservationId,
                event_id = reservation.EventId,
                user_id = reservation.UserId,
                seat_ids = reservation.SeatIds,
                total_cents = write.TotalCents,
            });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        return new WriteResult(WriteOutcome.Booked, bookingId, confirmation, tickets);
    }
}
