using System.Text;
using System.Text.Json;
using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Mail;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Catalog;

/// <summary>An event's terms as the sale keeps them (sale_event), null-free: only listed events are sold.</summary>
public sealed record SaleTerms(string Status, DateTimeOffset OnSaleAt, DateTimeOffset EndsAt, int MaxTicketsPerUser, bool WaitingRoom, string OwnerId,
    DateTimeOffset? RefundableUntil = null, long RefundFeeCents = 0, TimeSpan? HoldTime = null, IReadOnlyList<long>? SectionOrder = null);

// The sale's own copy of what it needs from the catalog (sale_event, sale_staff, and the priced, labelled seats in
// event_seat): written from the listing EventsApi serves and from the event.sale_changed messages it publishes. Each
// event's row keeps the newest version it was told of, whatever order the two paths deliver in.
public sealed class SaleEventStore(MySqlDataSource dataSource)
{
    private const int SeatsPerInsert = 1_000;

    /// <summary>The terms of a listed event (its seats are all known); null when the sale has no listing of it yet.</summary>
    public async Task<SaleTerms?> ReadTermsAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT status, on_sale_at, ends_at, max_tickets_per_user, waiting_room, owner_id, refundable_until, refund_fee_cents, hold_seconds,
                section_order
            FROM sale_event WHERE event_id = @event AND seats_listed
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SaleTerms(reader.GetString(0), MySqlTime.Utc(reader.GetDateTime(1)), MySqlTime.Utc(reader.GetDateTime(2)),
                reader.GetInt32(3), reader.GetBoolean(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : MySqlTime.Utc(reader.GetDateTime(6)), reader.GetInt64(7),
                reader.IsDBNull(8) ? null : TimeSpan.FromSeconds(reader.GetInt32(8)),
                reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<List<long>>(reader.GetString(9)))
            : null;
    }

    /// <summary>The event as a booking shows it; null when the sale has never heard of it.</summary>
    public static async Task<EventDetails?> ReadDetailsAsync(MySqlConnection connection, long eventId, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand("SELECT details FROM sale_event WHERE event_id = @event", connection);
        command.Parameters.AddWithValue("@event", eventId);
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? JsonSerializer.Deserialize<EventDetails>(json, MessageJson.Options)
            : null;
    }

    /// <summary>The event's status and whether the user is one of its door staff; null when the sale has never heard of it.</summary>
    public static async Task<(string Status, bool Staff)?> ReadDoorAsync(MySqlConnection connection, long eventId, string userId,
        CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand("""
            SELECT e.status, EXISTS (SELECT 1 FROM sale_staff s WHERE s.event_id = e.event_id AND s.user_id = @user)
            FROM sale_event e WHERE e.event_id = @event
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        command.Parameters.AddWithValue("@user", userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt64(1) == 1) : null;
    }

    // The listing's fetch, the consumer and concurrent check-ins may save one event's terms at the same moment: the
    // loser of InnoDB's deadlock between their row locks runs again (and then finds the terms kept).

    /// <summary>Keeps the terms unless newer ones are already kept.</summary>
    public Task SaveTermsAsync(EventSaleChanged terms, CancellationToken cancellationToken) =>
        LockConflicts.RetryAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await SaveTermsAsync(transaction, terms, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Keeps the listing: its terms (unless newer ones are kept) and its seats, then marks the event listed.</summary>
    public Task SaveListingAsync(EventSaleListing listing, CancellationToken cancellationToken) =>
        LockConflicts.RetryAsync(() => SaveListingOnceAsync(listing, cancellationToken), cancellationToken);

    private async Task SaveListingOnceAsync(EventSaleListing listing, CancellationToken cancellationToken)
    {
        var eventId = listing.Terms.Event.EventId;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SaveTermsAsync(transaction, listing.Terms, cancellationToken);
        foreach (var chunk in listing.Seats.Chunk(SeatsPerInsert))
        {
            await using var insert = new MySqlCommand { Connection = connection, Transaction = transaction };
            var sql = new StringBuilder(
                "INSERT IGNORE INTO event_seat (event_id, seat_id, section_id, section_name, row_label, seat_number, price_cents, status) VALUES ");
            for (var i = 0; i < chunk.Length; i++)
            {
                var seat = chunk[i];
                // Numbers inline (typed longs); the two strings as parameters.
                sql.Append(i == 0 ? "" : ",").Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"({eventId},{seat.SeatId},{seat.SectionId},@s{i},@r{i},{seat.Number},{seat.PriceCents},'available')");
                insert.Parameters.AddWithValue($"@s{i}", seat.Section);
                insert.Parameters.AddWithValue($"@r{i}", seat.Row);
            }
            insert.CommandText = sql.ToString();
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var listed = new MySqlCommand("UPDATE sale_event SET seats_listed = TRUE WHERE event_id = @event", connection, transaction))
        {
            listed.Parameters.AddWithValue("@event", eventId);
            await listed.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    // Every holder of a valid ticket (the buyer, or whom it was given to) hears of the new time once per change.
    private static async Task OweRescheduledMailAsync(MySqlTransaction transaction, long eventId, long version, CancellationToken cancellationToken)
    {
        await using var owe = new MySqlCommand($"""
            INSERT IGNORE INTO mail (kind, subject_id, subject_version, user_id)
            SELECT DISTINCT '{MailKinds.EventRescheduled}', @event, @version, COALESCE(t.holder_id, b.user_id)
            FROM ticket t JOIN booking b ON b.booking_id = t.booking_id WHERE t.event_id = @event AND t.status = 'valid'
            """, transaction.Connection, transaction);
        owe.Parameters.AddWithValue("@event", eventId);
        owe.Parameters.AddWithValue("@version", version);
        await owe.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task SaveTermsAsync(MySqlTransaction transaction, EventSaleChanged terms, CancellationToken cancellationToken)
    {
        var document = terms.Event;
        var details = JsonSerializer.Serialize(
            new EventDetails(document.EventId, document.EventName, document.StartsAt, document.EndsAt, document.Venue, document.Performers),
            MessageJson.Options);
        // The time it had, read under the write lock the update needs anyway: a new time owes its holders a mail.
        DateTime? startedAt;
        await using (var before = new MySqlCommand(
            "SELECT starts_at FROM sale_event WHERE event_id = @event AND version < @version FOR UPDATE", transaction.Connection, transaction))
        {
            before.Parameters.AddWithValue("@event", document.EventId);
            before.Parameters.AddWithValue("@version", document.Version);
            startedAt = await before.ExecuteScalarAsync(cancellationToken) as DateTime?;
        }

        // Updated only from an older version, else inserted if new: portable across MariaDB and MySQL (no VALUES()).
        // The kept row is locked for writing at once (no shared lock to upgrade).
        var kept = 0;
        foreach (var sql in new[]
        {
            """
            UPDATE sale_event SET version = @version, owner_id = @owner, status = @status, starts_at = @startsAt, ends_at = @endsAt,
                on_sale_at = @onSaleAt, max_tickets_per_user = @maxTickets, waiting_room = @waitingRoom, details = @details,
                refundable_until = @refundableUntil, refund_fee_cents = @refundFee, hold_seconds = @holdSeconds, section_order = @sectionOrder,
                updated_at = CURRENT_TIMESTAMP(3)
            WHERE event_id = @event AND version < @version
            """,
            """
            INSERT IGNORE INTO sale_event (event_id, version, owner_id, status, starts_at, ends_at, on_sale_at, max_tickets_per_user, waiting_room, details,
                refundable_until, refund_fee_cents, hold_seconds, section_order)
            VALUES (@event, @version, @owner, @status, @startsAt, @endsAt, @onSaleAt, @maxTickets, @waitingRoom, @details, @refundableUntil, @refundFee,
                @holdSeconds, @sectionOrder)
            """,
        })
        {
            if (kept > 0)
            {
                break;
            }
            await using var upsert = new MySqlCommand(sql, transaction.Connection, transaction);
            upsert.Parameters.AddWithValue("@event", document.EventId);
            upsert.Parameters.AddWithValue("@version", document.Version);
            upsert.Parameters.AddWithValue("@owner", terms.OwnerId);
            upsert.Parameters.AddWithValue("@status", document.Status);
            upsert.Parameters.AddWithValue("@startsAt", document.StartsAt.UtcDateTime);
            upsert.Parameters.AddWithValue("@endsAt", document.EndsAt.UtcDateTime);
            upsert.Parameters.AddWithValue("@onSaleAt", terms.OnSaleAt.UtcDateTime);
            upsert.Parameters.AddWithValue("@maxTickets", terms.MaxTicketsPerUser);
            upsert.Parameters.AddWithValue("@waitingRoom", terms.WaitingRoom);
            upsert.Parameters.AddWithValue("@details", details);
            upsert.Parameters.AddWithValue("@refundableUntil", terms.RefundableUntil?.UtcDateTime);
            upsert.Parameters.AddWithValue("@refundFee", terms.RefundFeeCents);
            upsert.Parameters.AddWithValue("@holdSeconds", terms.HoldSeconds);
            upsert.Parameters.AddWithValue("@sectionOrder", terms.SectionOrder is { } order ? JsonSerializer.Serialize(order) : null);
            kept += await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        if (kept == 0)
        {
            return; // these terms are not newer than the kept ones: the kept staff list is newer too
        }
        // DATETIME(3) keeps milliseconds: a difference below one is the column's rounding, not a new time.
        if (startedAt is { } was && Math.Abs((was - document.StartsAt.UtcDateTime).TotalMilliseconds) >= 1 && document.Status == EventStatuses.Scheduled)
        {
            await OweRescheduledMailAsync(transaction, document.EventId, document.Version, cancellationToken);
        }

        await using var staff = new MySqlCommand { Connection = transaction.Connection, Transaction = transaction };
        staff.Parameters.AddWithValue("@event", document.EventId);
        var replace = new StringBuilder("DELETE FROM sale_staff WHERE event_id = @event;");
        if (terms.Staff.Count > 0)
        {
            replace.Append("INSERT INTO sale_staff (event_id, user_id) VALUES ")
                .AppendJoin(",", terms.Staff.Select((_, i) => $"(@event, @u{i})")).Append(';');
            for (var i = 0; i < terms.Staff.Count; i++)
            {
                staff.Parameters.AddWithValue($"@u{i}", terms.Staff[i]);
            }
        }
        staff.CommandText = replace.ToString();
        await staff.ExecuteNonQueryAsync(cancellationToken);
    }
}
