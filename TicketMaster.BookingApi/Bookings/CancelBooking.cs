using MySqlConnector;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.BookingApi.Mail;
using TicketMaster.BookingApi.Payments;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Bookings;

/// <summary>A fan cancels tickets of their booking: all of its valid tickets, or the ones named.</summary>
public sealed record CancelCommand(long BookingId, string UserId, IReadOnlyList<long>? TicketIds, string? IdempotencyKey);

/// <summary>How a cancel ended; BookingsApi answers each with its status code.</summary>
public abstract record CancelOutcome
{
    private CancelOutcome() { }

    public sealed record Refunded(CancelResponse Response) : CancelOutcome;
    public sealed record NotFound : CancelOutcome;
    public sealed record UnknownTickets(IReadOnlyList<long> TicketIds) : CancelOutcome;
    public sealed record Refused(string Title, string Detail, IReadOnlyList<long>? TicketIds = null) : CancelOutcome;
}

// The life of a ticket after the sale (DESIGN §3): within the event's refund policy a fan gives tickets back. One
// transaction voids the tickets, puts their seats back on sale, records what the booking gave back and the refund
// owed (with its booking.refunded for the catalog, and the mail that tells the fan); then the seats are freed in Redis
// at once and the money goes back through the provider. A crash after the commit leaves a pending refund that RefundSettler finishes; a checked-in
// ticket and a ticket refunded before are refused, and check-in and refund of one ticket exclude each other (the
// ticket's row lock, and the conditions both updates carry).
public sealed class CancelBooking(MySqlDataSource dataSource, SaleEventStore sales, RefundSettler settler, Outbox outbox,
    ILogger<CancelBooking> logger)
{
    private sealed record TicketRow(long TicketId, long SeatId, long PriceCents, string Status, bool CheckedIn);

    private sealed record BookingRow(long BookingId, long EventId, string UserId, long TotalCents);

    private sealed record Planned(long RefundId, long EventId, IReadOnlyList<long> SeatIds);

    /// <summary>
    /// Which tickets a refund takes and at what fee: a fan's cancel takes the tickets they hold (named, or all), never a
    /// checked-in one; an event's cancellation takes every valid ticket of the booking, given away or checked in too,
    /// in full (the money goes back to the card that paid).
    /// </summary>
    private sealed record Scope(IReadOnlyList<long>? TicketIds, string? IdempotencyKey, long FeeCents, bool EventCancelled, bool WholeBooking);

    /// <summary>
    /// The event was cancelled: every valid ticket of the booking is refunded in full. False when there was nothing
    /// left to refund (done before, by this or another replica: each booking is refunded once).
    /// </summary>
    public async Task<bool> RefundCancelledEventAsync(long bookingId, CancellationToken cancellationToken)
    {
        var booking = await BookingAsync(bookingId, userId: null, cancellationToken);
        if (booking is null)
        {
            return false;
        }
        var scope = new Scope(null, null, FeeCents: 0, EventCancelled: true, WholeBooking: true);
        var planned = await LockConflicts.RetryAsync(async () => (await RefundInTransactionAsync(booking, scope, cancellationToken)).Plan, cancellationToken);
        if (planned is null)
        {
            return false;
        }
        await FinishAsync(planned, booking.UserId, cancellationToken);
        return true;
    }

    public async Task<CancelOutcome> CancelAsync(CancelCommand command, CancellationToken cancellationToken)
    {
        if (command.IdempotencyKey is { } key && await RefundByKeyAsync(command.UserId, key, cancellationToken) is { } earlier)
        {
            return new CancelOutcome.Refunded((await ResponseAsync(earlier, cancellationToken))!);
        }
        var booking = await BookingAsync(command.BookingId, command.UserId, cancellationToken);
        if (booking is null)
        {
            return new CancelOutcome.NotFound();
        }

        var terms = await sales.ReadTermsAsync(booking.EventId, cancellationToken);
        var eventCancelled = terms?.Status == EventStatuses.Cancelled;
        if (!eventCancelled)
        {
            if (terms?.RefundableUntil is not { } until)
            {
                return new CancelOutcome.Refused("Not refundable", $"The organizer of event {booking.EventId} offers no refunds.");
            }
            if (DateTimeOffset.UtcNow > until)
            {
                return new CancelOutcome.Refused("Refund period over", $"Tickets of event {booking.EventId} were refundable until {until:O}.");
            }
        }
        // A cancelled event gives everything back, whatever its policy.
        var feeCents = eventCancelled ? 0 : terms!.RefundFeeCents;

        CancelOutcome? refused = null;
        Planned? planned;
        try
        {
            planned = await LockConflicts.RetryAsync(async () =>
            {
                var (plan, outcome) = await RefundInTransactionAsync(booking,
                    new Scope(command.TicketIds, command.IdempotencyKey, feeCents, eventCancelled, WholeBooking: false), cancellationToken);
                refused = outcome;
                return plan;
            }, cancellationToken);
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && command.IdempotencyKey is { } sameKey)
        {
            // The same cancel, sent twice at once: the other one refunded.
            return new CancelOutcome.Refunded((await ResponseAsync((await RefundByKeyAsync(command.UserId, sameKey, cancellationToken))!.Value,
                cancellationToken))!);
        }
        if (planned is null)
        {
            return refused!;
        }
        await FinishAsync(planned, booking.UserId, cancellationToken);
        return new CancelOutcome.Refunded((await ResponseAsync(planned.RefundId, cancellationToken))!);
    }

    private async Task<(Planned? Plan, CancelOutcome? Refused)> RefundInTransactionAsync(BookingRow booking, Scope scope,
        CancellationToken cancellationToken)
    {
        var (feeCents, eventCancelled) = (scope.FeeCents, scope.EventCancelled);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var tickets = new List<TicketRow>();
        await using (var read = new MySqlCommand("""
            SELECT t.ticket_id, t.seat_id, t.price_cents,
                   CASE WHEN t.status = 'valid' AND t.holder_id IS NOT NULL AND t.holder_id <> b.user_id THEN 'transferred' ELSE t.status END,
                   t.checked_in_at IS NOT NULL
            FROM ticket t JOIN booking b ON b.booking_id = t.booking_id WHERE t.booking_id = @booking FOR UPDATE
            """, connection, transaction))
        {
            read.Parameters.AddWithValue("@booking", booking.BookingId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                tickets.Add(new TicketRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetBoolean(4)));
            }
        }

        var byId = tickets.ToDictionary(t => t.TicketId);
        var unknown = scope.TicketIds?.Where(id => !byId.ContainsKey(id)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            return (null, new CancelOutcome.UnknownTickets(unknown));
        }
        var targets = scope.TicketIds is { } named ? named.Select(id => byId[id]).ToList()
            : scope.WholeBooking ? tickets.Where(t => t.Status is TicketStatuses.Valid or TicketStatuses.Transferred).ToList()
            : tickets.Where(t => t.Status == TicketStatuses.Valid).ToList();
        if (targets.Count == 0)
        {
            return (null, new CancelOutcome.Refused("Already refunded", $"Every ticket of booking {booking.BookingId} was refunded before."));
        }
        // A ticket given away is its holder's now, and its money the buyer's card's: neither of them can refund it.
        if (!scope.WholeBooking && targets.Where(t => t.Status == TicketStatuses.Transferred).Select(t => t.TicketId).ToList() is { Count: > 0 } transferred)
        {
            return (null, new CancelOutcome.Refused("Transferred", "These tickets were given to someone else.", transferred));
        }
        if (targets.Where(t => t.Status == TicketStatuses.Refunded).Select(t => t.TicketId).ToList() is { Count: > 0 } refundedBefore)
        {
            return (null, new CancelOutcome.Refused("Already refunded", "These tickets were refunded before.", refundedBefore));
        }
        if (!scope.WholeBooking && targets.Where(t => t.CheckedIn).Select(t => t.TicketId).ToList() is { Count: > 0 } checkedIn)
        {
            return (null, new CancelOutcome.Refused("Checked in", "A ticket that admitted someone cannot be refunded.", checkedIn));
        }

        var refundId = Ids.New();
        var fees = targets.Sum(t => Math.Min(t.PriceCents, feeCents));
        var amount = targets.Sum(t => t.PriceCents) - fees;
        var ticketList = string.Join(',', targets.Select(t => t.TicketId));
        var seatList = string.Join(',', targets.Select(t => t.SeatId));
        var stillValid = tickets.Count(t => t.Status is TicketStatuses.Valid or TicketStatuses.Transferred) - targets.Count;

        await using var write = new MySqlCommand($"""
            UPDATE ticket SET status = 'refunded', refund_id = @refund
              WHERE ticket_id IN ({ticketList}) AND booking_id = @booking AND status = 'valid' AND (checked_in_at IS NULL OR @whole);
            UPDATE event_seat SET status = 'available', booking_id = NULL
              WHERE event_id = @event AND seat_id IN ({seatList}) AND booking_id = @booking;
            UPDATE booking SET refunded_cents = refunded_cents + @amount, status = @bookingStatus WHERE booking_id = @booking;
            INSERT INTO refund (refund_id, booking_id, event_id, user_id, idempotency_key, reason, tickets, amount_cents, fee_cents, status)
              VALUES (@refund, @booking, @event, @user, @key, @reason, @tickets, @amount, @fees, @refundStatus);
            INSERT INTO mail (kind, subject_id, user_id) VALUES ('{MailKinds.Refund}', @refund, @user);
            INSERT IGNORE INTO mail (kind, subject_id, user_id)
              SELECT DISTINCT '{MailKinds.EventCancelled}', @event, holder_id FROM ticket
              WHERE @eventCancelled AND ticket_id IN ({ticketList}) AND holder_id IS NOT NULL AND holder_id <> @user;
            """, connection, transaction);
        write.Parameters.AddWithValue("@refund", refundId);
        write.Parameters.AddWithValue("@booking", booking.BookingId);
        write.Parameters.AddWithValue("@event", booking.EventId);
        write.Parameters.AddWithValue("@user", booking.UserId);
        write.Parameters.AddWithValue("@key", scope.IdempotencyKey);
        write.Parameters.AddWithValue("@whole", scope.WholeBooking);
        write.Parameters.AddWithValue("@eventCancelled", eventCancelled);
        write.Parameters.AddWithValue("@reason", eventCancelled ? RefundReasons.EventCancelled : RefundReasons.Fan);
        write.Parameters.AddWithValue("@tickets", targets.Count);
        write.Parameters.AddWithValue("@amount", amount);
        write.Parameters.AddWithValue("@fees", fees);
        write.Parameters.AddWithValue("@bookingStatus", stillValid == 0 ? BookingStatuses.Cancelled : BookingStatuses.PartiallyRefunded);
        // Nothing to give back (the fee took it all): settled as it is written.
        write.Parameters.AddWithValue("@refundStatus", amount == 0 ? RefundStatuses.Refunded : RefundStatuses.Pending);
        await write.ExecuteNonQueryAsync(cancellationToken);
        var seatIds = targets.Select(t => t.SeatId).ToList();
        await outbox.AppendAsync(transaction, "booking", booking.BookingId,
            new BookingRefunded(refundId, booking.BookingId, booking.EventId, seatIds, amount), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Refund {RefundId} of booking {BookingId}: {Tickets} tickets, {Amount} cents back", refundId, booking.BookingId,
            targets.Count, amount);
        return (new Planned(refundId, booking.EventId, seatIds), null);
    }

    // After the refund committed: the seats are on sale again in MySQL; Redis learns it now (else the settler tells
    // it), then the money goes back.
    private async Task FinishAsync(Planned planned, string buyerId, CancellationToken cancellationToken)
    {
        outbox.NotifyCommitted();
        await settler.ReleaseSeatsAsync(planned.RefundId, planned.EventId, buyerId, planned.SeatIds, cancellationToken);
        await settler.SettleAsync(planned.RefundId, cancellationToken);
    }

    /// <summary>The booking; with <paramref name="userId"/>, only if it is that user's.</summary>
    private async Task<BookingRow?> BookingAsync(long bookingId, string? userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand(
            "SELECT booking_id, event_id, user_id, total_cents FROM booking WHERE booking_id = @booking AND (@user IS NULL OR user_id = @user)",
            connection);
        read.Parameters.AddWithValue("@booking", bookingId);
        read.Parameters.AddWithValue("@user", userId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new BookingRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3))
            : null;
    }

    private async Task<long?> RefundByKeyAsync(string userId, string key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand("SELECT refund_id FROM refund WHERE user_id = @user AND idempotency_key = @key", connection);
        read.Parameters.AddWithValue("@user", userId);
        read.Parameters.AddWithValue("@key", key);
        return await read.ExecuteScalarAsync(cancellationToken) is long refundId ? refundId : null;
    }

    private async Task<CancelResponse?> ResponseAsync(long refundId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand("""
            SELECT b.booking_id, b.status, b.total_cents, b.refunded_cents, r.amount_cents, r.fee_cents, r.status
            FROM refund r JOIN booking b ON b.booking_id = r.booking_id WHERE r.refund_id = @refund;
            SELECT ticket_id FROM ticket WHERE refund_id = @refund ORDER BY ticket_id;
            """, connection);
        read.Parameters.AddWithValue("@refund", refundId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var (bookingId, status, total, refunded, amount, fee, refundStatus) = (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2),
            reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetString(6));
        await reader.NextResultAsync(cancellationToken);
        var ticketIds = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ticketIds.Add(reader.GetInt64(0));
        }
        return new CancelResponse(bookingId, status, total, refunded, new RefundSummary(refundId, ticketIds, amount, fee, refundStatus));
    }
}
