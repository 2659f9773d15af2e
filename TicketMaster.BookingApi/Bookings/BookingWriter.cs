using System.Security.Cryptography;
using System.Text;
using MySqlConnector;
using TicketMaster.BookingApi.Mail;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Bookings;

public enum WriteOutcome { Booked, Lost, AlreadyBooked, Failed }

/// <summary>
/// What a confirm asks the database to record: the reservation's seats, paid by this authorization (of that payment
/// attempt), and the address the tickets are mailed to.
/// </summary>
public sealed record BookingWrite(Reservation Reservation, long TotalCents, string PaymentRef, int PaymentAttempt, string? Email = null);

public sealed record WrittenTicket(long TicketId, long SeatId);

/// <summary>
/// Booked: the new booking; AlreadyBooked: the booking an earlier attempt made (id only); Lost: nothing (a seat was
/// taken); Failed: nothing (the database refused this write itself).
/// </summary>
public sealed record WriteResult(WriteOutcome Outcome, long BookingId, string? ConfirmationNumber, IReadOnlyList<WrittenTicket> Tickets)
{
    public static readonly WriteResult Lost = new(WriteOutcome.Lost, 0, null, []);
    public static readonly WriteResult Failed = new(WriteOutcome.Failed, 0, null, []);
}

// DESIGN §3 step 2, the one place a seat becomes sold. Redis holds only make collisions rare; this makes them
// impossible: the conditional UPDATE flips exactly the seats that are still available, of an event not cancelled
// (the last guard behind the confirm's own check of the event), and the payment attempt joins only if the reconciler
// has not voided it; unless both hold for the whole reservation, that reservation's rows are
// put back and nothing else of it is written. UNIQUE(event_id, seat_id) on ticket backs it up.
// A batch (the queued writer) records many reservations in one transaction and ONE round trip: each reservation's
// rows are guarded by a user variable (@ok_i) instead of a client-side check, so each still succeeds or fails on
// its own. That needs a data source with AllowUserVariables=true.
public sealed class BookingWriter(MySqlDataSource dataSource, Outbox outbox)
{
    private long _lastBookedTicks;

    /// <summary>When this replica last wrote a booking: a sale is under way while that is recent (MailSender yields to it).</summary>
    public DateTime LastBookedUtc => new(Interlocked.Read(ref _lastBookedTicks), DateTimeKind.Utc);

    /// <summary>The keyed service name of the data source built from <see cref="ConnectionString"/>.</summary>
    public const string DataSourceKey = "booking-writes";
    private const string ConfirmationAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I
    private const int MaxAttempts = 5;

    /// <summary>
    /// The connection string the writer needs: the service's own, with user variables allowed, and without the
    /// session reset each pooled open would cost (a server round trip's work per batch): every variable a batch
    /// reads it has SET first, and every transaction ends in commit or rollback, so no state carries over.
    /// </summary>
    public static string ConnectionString(string connectionString) =>
        new MySqlConnectionStringBuilder(connectionString) { AllowUserVariables = true, ConnectionReset = false }.ConnectionString;

    /// <summary>One confirm's write; Failed when the database refuses this write itself (not when it is away: that throws).</summary>
    public async Task<WriteResult> WriteAsync(BookingWrite write, CancellationToken cancellationToken)
    {
        try
        {
            return (await WriteBatchAsync([write], cancellationToken))[0];
        }
        catch (MySqlException ex) when (!ex.IsTransient)
        {
            return WriteResult.Failed;
        }
    }

    public async Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<BookingWrite> writes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A deadlock victim (busy sales interleave index and foreign-key locks) was rolled back whole.
                return await LockConflicts.RetryAsync(() => TryWriteBatchAsync(writes, cancellationToken), cancellationToken);
            }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && ex.Message.Contains("confirmation_number") && attempt < MaxAttempts)
            {
                // 32^10 codes make this vanishingly rare; draw others.
            }
        }
    }

    private async Task<IReadOnlyList<WriteResult>> TryWriteBatchAsync(IReadOnlyList<BookingWrite> writes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new MySqlCommand { Connection = connection, Transaction = transaction };
        var planned = writes.Select((write, i) => Plan(command, i, write)).ToList();
        command.CommandText = BatchSql(planned);

        var results = new WriteResult[writes.Count];
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var i = Convert.ToInt32(reader.GetValue(0));
                var booked = Convert.ToInt64(reader.GetValue(1)) == 1;
                var existing = reader.IsDBNull(2) ? (long?)null : reader.GetInt64(2);
                results[i] = booked ? planned[i].Result
                    // A retried confirm (or a redelivered queue message) finds its own earlier booking here.
                    : existing is { } earlier ? new WriteResult(WriteOutcome.AlreadyBooked, earlier, null, []) : WriteResult.Lost;
            }
        }
        if (results.Any(r => r is null))
        {
            throw new InvalidOperationException("the booking batch returned fewer outcomes than writes");
        }
        await transaction.CommitAsync(cancellationToken);
        if (results.Any(r => r.Outcome == WriteOutcome.Booked))
        {
            Interlocked.Exchange(ref _lastBookedTicks, DateTime.UtcNow.Ticks);
            outbox.NotifyCommitted();
        }
        return results;
    }

    private sealed record PlannedWrite(int Index, BookingWrite Write, WriteResult Result)
    {
        public string P => $"@w{Index}";
        public string Ok => $"@ok_{Index}";
        public string SeatList => string.Join(',', Write.Reservation.SeatIds);
    }

    /// <summary>Draws write <paramref name="i"/>'s ids and adds its parameters (@w{i}…, outbox @w{i}outbox…).</summary>
    private static PlannedWrite Plan(MySqlCommand command, int i, BookingWrite write)
    {
        var reservation = write.Reservation;
        var bookingId = Ids.New();
        var confirmation = string.Concat(RandomNumberGenerator.GetItems<char>(ConfirmationAlphabet, 10));
        var tickets = reservation.SeatIds.Select(seat => new WrittenTicket(Ids.New(), seat)).ToList();
        var p = $"@w{i}";
        command.Parameters.AddWithValue($"{p}booking", bookingId);
        command.Parameters.AddWithValue($"{p}confirmation", confirmation);
        command.Parameters.AddWithValue($"{p}reservation", reservation.ReservationId);
        command.Parameters.AddWithValue($"{p}user", reservation.UserId);
        command.Parameters.AddWithValue($"{p}email", write.Email);
        command.Parameters.AddWithValue($"{p}event", reservation.EventId);
        command.Parameters.AddWithValue($"{p}total", write.TotalCents);
        command.Parameters.AddWithValue($"{p}payment", write.PaymentRef);
        command.Parameters.AddWithValue($"{p}attempt", write.PaymentAttempt);
        Outbox.AddParameters(command, "booking", bookingId,
            new BookingConfirmed(bookingId, reservation.ReservationId, reservation.EventId, reservation.UserId, reservation.SeatIds, write.TotalCents),
            prefix: $"w{i}outbox");
        return new PlannedWrite(i, write, new WriteResult(WriteOutcome.Booked, bookingId, confirmation, tickets));
    }

    // The batch's SQL. Each write's claim runs in order (an earlier write wins a seat two of them want, and a write
    // that fails puts its seats back before the next one tries): flip the seats that are still available, join the
    // payment only if every seat flipped and the reconciler has not voided it, @ok_i = both, else undo the flip.
    // Everything after that is one statement per table for the whole batch, each row guarded by its @ok_i (a
    // fixed number of statements instead of five more per write: MariaDB's work per statement was most of a
    // batch's time). Users go first, whatever the outcomes: a user row is only an id and the address their mail goes to.
    private string BatchSql(IReadOnlyList<PlannedWrite> planned)
    {
        var sql = new StringBuilder();
        // In one order for every batch, so two writers inserting the same fans take those row locks in the same order.
        var users = planned.OrderBy(w => w.Write.Reservation.UserId, StringComparer.Ordinal).ToList();
        sql.Append("INSERT IGNORE INTO `user` (user_id, email) VALUES ")
            .AppendJoin(", ", users.Select(w => $"({w.P}user, {w.P}email)"))
            .AppendLine(";");
        // A fan known before keeps the newest address their token carried (no VALUES(): MySQL deprecates it there).
        if (users.Where(w => w.Write.Email is not null).ToList() is { Count: > 0 } withEmail)
        {
            sql.Append("UPDATE `user` u JOIN (")
                .AppendJoin(" UNION ALL ", withEmail.Select(w => $"SELECT {w.P}user AS user_id, {w.P}email AS email"))
                .AppendLine(") n ON n.user_id = u.user_id SET u.email = n.email WHERE NOT (u.email <=> n.email);");
        }
        foreach (var w in planned)
        {
            var (p, ok, claimed, n) = (w.P, w.Ok, $"@seats_{w.Index}", w.Write.Reservation.SeatIds.Count);
            sql.Append($"""
                UPDATE event_seat SET status = 'sold', booking_id = {p}booking
                  WHERE event_id = {p}event AND seat_id IN ({w.SeatList}) AND status = 'available'
                    AND (SELECT status FROM sale_event WHERE event_id = {p}event) = 'scheduled';
                SET {claimed} = ROW_COUNT();
                UPDATE payment SET booking_id = {p}booking, status = 'authorized', provider_ref = {p}payment, updated_at = CURRENT_TIMESTAMP(3)
                  WHERE reservation_id = {p}reservation AND attempt = {p}attempt AND booking_id IS NULL
                    AND status IN ('authorizing', 'authorized') AND {claimed} = {n};
                SET {ok} = ({claimed} = {n} AND ROW_COUNT() = 1);
                UPDATE event_seat SET status = 'available', booking_id = NULL
                  WHERE NOT {ok} AND event_id = {p}event AND seat_id IN ({w.SeatList}) AND booking_id = {p}booking;

                """);
        }
        sql.Append("INSERT INTO booking (booking_id, confirmation_number, reservation_id, user_id, event_id, status, total_cents, payment_ref) ")
            .AppendJoin(" UNION ALL ", planned.Select(w =>
                $"SELECT {w.P}booking, {w.P}confirmation, {w.P}reservation, {w.P}user, {w.P}event, 'confirmed', {w.P}total, {w.P}payment FROM DUAL WHERE {w.Ok}"))
            .AppendLine(";");
        // The prices come from event_seat; the derived table names each ticket's booking, event and guard.
        sql.Append("INSERT INTO ticket (ticket_id, booking_id, event_id, seat_id, price_cents) ")
            .Append("SELECT t.ticket_id, t.booking_id, es.event_id, es.seat_id, es.price_cents FROM (")
            .AppendJoin(" UNION ALL ", planned.SelectMany(w => w.Result.Tickets.Select(t =>
                $"SELECT {t.TicketId} AS ticket_id, {w.P}booking AS booking_id, {w.P}event AS event_id, {t.SeatId} AS seat_id, {w.Ok} AS ok")))
            .AppendLine(") t JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id WHERE t.ok;");
        sql.AppendLine(outbox.InsertSql(planned.Select(w => ($"w{w.Index}outbox", w.Ok))));
        // Each booking owes its buyer the confirmation mail (MailSender sends it from here).
        sql.Append("INSERT INTO mail (kind, subject_id, user_id) ")
            .AppendJoin(" UNION ALL ", planned.Select(w => $"SELECT '{MailKinds.BookingConfirmed}', {w.P}booking, {w.P}user FROM DUAL WHERE {w.Ok}"))
            .AppendLine(";");
        // One row per write: its index, whether it booked, and the booking its reservation has (its own, or an earlier one).
        sql.AppendJoin(" UNION ALL ", planned.Select(w =>
                $"SELECT {w.Index}, {w.Ok}, (SELECT booking_id FROM booking WHERE reservation_id = {w.P}reservation)"))
            .AppendLine(";");
        return sql.ToString();
    }
}
