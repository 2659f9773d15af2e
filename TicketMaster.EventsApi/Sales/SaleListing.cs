using MySqlConnector;
using TicketMaster.Data;
using TicketMaster.EventsApi.Events;
using TicketMaster.Messaging;

namespace TicketMaster.EventsApi.Sales;

// What the sale (BookingApi) knows of an event comes from here, never from the catalog's tables: the terms on every
// change (event.sale_changed, through the outbox in the writing transaction) and, the first time the sale meets an
// event, the terms with its priced seats (GET /v1/admin/catalog/events/{id}/sale).
public static class SaleListing
{
    /// <summary>Appends an event's messages in the transaction that changed it: its search document and its sale terms.</summary>
    public static async Task AnnounceAsync(Outbox outbox, MySqlTransaction transaction, long eventId, CancellationToken cancellationToken)
    {
        var terms = await ReadTermsAsync(transaction.Connection!, transaction, eventId, cancellationToken)
            ?? throw new InvalidOperationException($"Event {eventId} vanished inside its own transaction.");
        await outbox.AppendAsync(transaction, "event", eventId, terms.Event, cancellationToken);
        await outbox.AppendAsync(transaction, "event", eventId, terms, cancellationToken);
    }

    /// <summary>
    /// The event's terms and (unless <paramref name="withSeats"/> is false) every seat of its venue at its section's
    /// price; null when there is no such event.
    /// </summary>
    public static async Task<EventSaleListing?> ReadAsync(MySqlDataSource dataSource, long eventId, bool withSeats, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var terms = await ReadTermsAsync(connection, null, eventId, cancellationToken);
        if (terms is null || !withSeats)
        {
            return terms is null ? null : new EventSaleListing(terms, []);
        }
        await using var command = new MySqlCommand("""
            SELECT s.seat_id, s.section_id, sc.name, s.row_label, s.seat_number, p.price_cents
            FROM event e
            JOIN seat s ON s.venue_id = e.venue_id
            JOIN section sc ON sc.section_id = s.section_id
            JOIN event_price p ON p.event_id = e.event_id AND p.section_id = s.section_id
            WHERE e.event_id = @event
            ORDER BY s.seat_id
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        var seats = new List<ListedSeat>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            seats.Add(new ListedSeat(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt64(5)));
        }
        return new EventSaleListing(terms, seats);
    }

    private static async Task<EventSaleChanged?> ReadTermsAsync(MySqlConnection connection, MySqlTransaction? transaction, long eventId,
        CancellationToken cancellationToken)
    {
        var document = await EventDocumentReader.ReadAsync(connection, transaction, eventId, cancellationToken);
        if (document is null)
        {
            return null;
        }
        await using var command = new MySqlCommand("""
            SELECT owner_id, on_sale_at, max_tickets_per_user, waiting_room, refundable_until, refund_fee_cents, hold_seconds, section_order FROM event WHERE event_id = @event;
            SELECT user_id FROM event_staff WHERE event_id = @event ORDER BY user_id;
            """, connection, transaction);
        command.Parameters.AddWithValue("@event", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (ownerId, onSaleAt, maxTickets, waitingRoom) =
            (reader.GetString(0), MySqlTime.Utc(reader.GetDateTime(1)), reader.GetInt32(2), reader.GetBoolean(3));
        var (refundableUntil, refundFee) = (reader.IsDBNull(4) ? (DateTimeOffset?)null : MySqlTime.Utc(reader.GetDateTime(4)), reader.GetInt64(5));
        int? holdSeconds = reader.IsDBNull(6) ? null : reader.GetInt32(6);
        var sectionOrder = reader.IsDBNull(7) ? null : Events.EventStore.ParseSectionOrder(reader.GetString(7));
        await reader.NextResultAsync(cancellationToken);
        var staff = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            staff.Add(reader.GetString(0));
        }
        return new EventSaleChanged(document, ownerId, onSaleAt, maxTickets, waitingRoom, staff, refundableUntil, refundFee, holdSeconds, sectionOrder);
    }
}
