using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.BookingApi.Mail;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Tickets;

/// <summary>How a transfer ended; TicketsApi answers each with its status code.</summary>
public abstract record TransferOutcome
{
    private TransferOutcome() { }

    public sealed record Transferred(TransferResponse Response) : TransferOutcome;
    public sealed record NotFound : TransferOutcome;
    public sealed record Refused(string Title, string Detail) : TransferOutcome;
    public sealed record OverLimit(int Limit) : TransferOutcome;
}

public sealed record TransferResponse(long TicketId, long EventId, string ToUserId, DateTimeOffset TransferredAt);

// A ticket's holder gives it to another fan: in one transaction, under the ticket's row lock (so a check-in or a
// refund of it waits, and then finds it moved) and the recipient's user row lock (so two transfers to one fan cannot
// both pass the limit), the ticket gets its new holder and its next code generation — the old code stops checking in,
// the recipient's works, and each of them is owed a mail. The recipient's per-event ticket limit counts the valid
// tickets they hold. A checked-in, refunded or cancelled event's ticket cannot move.
public sealed class TransferTicket(MySqlDataSource dataSource, SaleEventStore sales, HoldStore holds, ILogger<TransferTicket> logger)
{
    public async Task<TransferOutcome> TransferAsync(long ticketId, string fromUserId, string toUserId, CancellationToken cancellationToken)
    {
        var outcome = await LockConflicts.RetryAsync(() => TransferInTransactionAsync(ticketId, fromUserId, toUserId, cancellationToken), cancellationToken);
        if (outcome is TransferOutcome.Transferred { Response: var moved })
        {
            // The per-fan limit at reserve counts each fan's bought seats in Redis: the seat now counts for the recipient.
            await holds.MoveBookedAsync(moved.EventId, fromUserId, toUserId, await SeatOfAsync(ticketId, cancellationToken));
            logger.LogInformation("Ticket {TicketId} of event {EventId} transferred", ticketId, moved.EventId);
        }
        return outcome;
    }

    private async Task<TransferOutcome> TransferInTransactionAsync(long ticketId, string fromUserId, string toUserId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long eventId;
        string status;
        bool checkedIn;
        int generation;
        await using (var read = new MySqlCommand("""
            SELECT t.event_id, t.status, t.checked_in_at IS NOT NULL, t.code_generation FROM ticket t JOIN booking b ON b.booking_id = t.booking_id
            WHERE t.ticket_id = @ticket AND COALESCE(t.holder_id, b.user_id) = @from FOR UPDATE
            """, connection, transaction))
        {
            read.Parameters.AddWithValue("@ticket", ticketId);
            read.Parameters.AddWithValue("@from", fromUserId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new TransferOutcome.NotFound();
            }
            (eventId, status, checkedIn, generation) = (reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2), reader.GetInt32(3));
        }
        if (status != TicketStatuses.Valid)
        {
            return new TransferOutcome.Refused("Refunded", $"Ticket {ticketId} was refunded: there is nothing to transfer.");
        }
        if (checkedIn)
        {
            return new TransferOutcome.Refused("Checked in", $"Ticket {ticketId} already admitted someone.");
        }
        var terms = await sales.ReadTermsAsync(eventId, cancellationToken);
        if (terms is null || terms.Status == EventStatuses.Cancelled)
        {
            return new TransferOutcome.Refused("Event cancelled", $"Event {eventId} is cancelled: its tickets are refunded, not transferred.");
        }

        await using (var recipient = new MySqlCommand("""
            INSERT IGNORE INTO `user` (user_id) VALUES (@to);
            SELECT user_id FROM `user` WHERE user_id = @to FOR UPDATE;
            SELECT (SELECT COUNT(*) FROM ticket WHERE holder_id = @to AND event_id = @event AND status = 'valid')
                 + (SELECT COUNT(*) FROM ticket t JOIN booking b ON b.booking_id = t.booking_id
                    WHERE b.user_id = @to AND b.event_id = @event AND t.holder_id IS NULL AND t.status = 'valid');
            """, connection, transaction))
        {
            recipient.Parameters.AddWithValue("@to", toUserId);
            recipient.Parameters.AddWithValue("@event", eventId);
            await using var reader = await recipient.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (Convert.ToInt64(reader.GetValue(0)) >= terms.MaxTicketsPerUser)
            {
                return new TransferOutcome.OverLimit(terms.MaxTicketsPerUser);
            }
        }

        await using (var move = new MySqlCommand("""
            UPDATE ticket SET holder_id = @to, code_generation = code_generation + 1
            WHERE ticket_id = @ticket AND status = 'valid' AND checked_in_at IS NULL
            """, connection, transaction))
        {
            move.Parameters.AddWithValue("@to", toUserId);
            move.Parameters.AddWithValue("@ticket", ticketId);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
        // Both sides hear of it: the giver that the old code is void, the recipient with the new one.
        await MailOutbox.EnqueueAsync(transaction, MailKinds.TicketSent, ticketId, generation + 1, fromUserId, cancellationToken);
        await MailOutbox.EnqueueAsync(transaction, MailKinds.TicketReceived, ticketId, generation + 1, toUserId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new TransferOutcome.Transferred(new TransferResponse(ticketId, eventId, toUserId, DateTimeOffset.UtcNow));
    }

    private async Task<long> SeatOfAsync(long ticketId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand("SELECT seat_id FROM ticket WHERE ticket_id = @ticket", connection);
        read.Parameters.AddWithValue("@ticket", ticketId);
        return Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken));
    }
}
