using System.Security.Cryptography;
using MySqlConnector;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Messaging;

namespace TicketMaster.BookingApi.Bookings;

public enum WriteOutcome { Booked, Lost, AlreadyBooked }

// DESIGN §3 step 2, the one place a seat becomes sold. Redis holds only make collisions rare; this transaction
// makes them impossible: the conditional UPDATE flips exactly the seats that are still available, and unless
// that is every seat of the reservation nothing is written. UNIQUE(event_id, seat_id) on ticket backs it up.
public sealed class BookingWriter(MySqlDataSource dataSource, Outbox outbox)
{
    private const string ConfirmationAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I
    private const int MaxAttempts = 5;

    public async Task<(WriteOutcome Outcome, long BookingId)> WriteAsync(Reservation reservation, long totalCents, string paymentRef,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryWriteAsync(reservation, totalCents, paymentRef, cancellationToken);
            }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && ex.Message.Contains("confirmation_number") && attempt < MaxAttempts)
            {
                // 32^10 codes make this vanishingly rare; draw another one.
            }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && ex.Message.Contains("ux_booking_reservation"))
            {
                // A concurrent retry of the same confirm committed first.
                return (WriteOutcome.AlreadyBooked, 0);
            }
            catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout && attempt < MaxAttempts)
            {
                // InnoDB picked this transaction as a deadlock victim (busy sales interleave index and foreign-key
                // locks); it was rolled back whole, so running it again is safe.
                await Task.Delay(Random.Shared.Next(5, 25) * attempt, cancellationToken);
            }
        }
    }

    private async Task<(WriteOutcome, long)> TryWriteAsync(Reservation reservation, long totalCents, string paymentRef, CancellationToken cancellationToken)
    {
        var bookingId = Ids.New();
        var seats = string.Join(',', reservation.SeatIds);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var claim = new MySqlCommand($"""
            UPDATE event_seat SET status = 'sold', booking_id = @booking
            WHERE event_id = @event AND seat_id IN ({seats}) AND status = 'available'
            """, connection, transaction))
        {
            claim.Parameters.AddWithValue("@booking", bookingId);
            claim.Parameters.AddWithValue("@event", reservation.EventId);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) != reservation.SeatIds.Count)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (WriteOutcome.Lost, 0);
            }
        }

        var confirmation = string.Concat(RandomNumberGenerator.GetItems<char>(ConfirmationAlphabet, 10));
        await using (var insert = new MySqlCommand("""
            INSERT INTO `user` (user_id) VALUES (@user) ON DUPLICATE KEY UPDATE user_id = user_id;
            INSERT INTO booking (booking_id, confirmation_number, reservation_id, user_id, event_id, status, total_cents, payment_ref)
            VALUES (@booking, @confirmation, @reservation, @user, @event, 'confirmed', @total, @payment);
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("@booking", bookingId);
            insert.Parameters.AddWithValue("@confirmation", confirmation);
            insert.Parameters.AddWithValue("@reservation", reservation.ReservationId);
            insert.Parameters.AddWithValue("@user", reservation.UserId);
            insert.Parameters.AddWithValue("@event", reservation.EventId);
            insert.Parameters.AddWithValue("@total", totalCents);
            insert.Parameters.AddWithValue("@payment", paymentRef);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        // The payment joins the booking in the same transaction, unless the reconciler already voided it
        // (it does so under this row's lock): then the seats are not ours to take.
        await using (var payment = new MySqlCommand("""
            UPDATE payment SET booking_id = @booking, updated_at = CURRENT_TIMESTAMP(3)
            WHERE reservation_id = @reservation AND booking_id IS NULL AND status IN ('authorizing', 'authorized')
            """, connection, transaction))
        {
            payment.Parameters.AddWithValue("@booking", bookingId);
            payment.Parameters.AddWithValue("@reservation", reservation.ReservationId);
            if (await payment.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (WriteOutcome.Lost, 0);
            }
        }

        await using (var tickets = new MySqlCommand($"""
            INSERT INTO ticket (ticket_id, booking_id, event_id, seat_id, price_cents)
            SELECT ids.ticket_id, @booking, es.event_id, es.seat_id, es.price_cents
            FROM event_seat es JOIN (SELECT {string.Join(" UNION ALL SELECT ", reservation.SeatIds.Select(s => $"{Ids.New()} AS ticket_id, {s} AS seat_id"))}) ids
              ON ids.seat_id = es.seat_id
            WHERE es.event_id = @event
            """, connection, transaction))
        {
            tickets.Parameters.AddWithValue("@booking", bookingId);
            tickets.Parameters.AddWithValue("@event", reservation.EventId);
            await tickets.ExecuteNonQueryAsync(cancellationToken);
        }

        await outbox.AppendAsync(transaction, "booking", bookingId, "booking.confirmed", new
        {
            booking_id = bookingId,
            reservation_id = reservation.ReservationId,
            event_id = reservation.EventId,
            user_id = reservation.UserId,
            seat_ids = reservation.SeatIds,
            total_cents = totalCents,
        }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.NotifyCommitted();
        return (WriteOutcome.Booked, bookingId);
    }
}
