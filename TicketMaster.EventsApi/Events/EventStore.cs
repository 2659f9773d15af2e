using System.Security.Claims;
using System.Globalization;
using System.Text.Json;
using MySqlConnector;
using TicketMaster.Data;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Http;
using TicketMaster.Messaging;
using TicketMaster.EventsApi.Sales;
using TicketMaster.Search;

namespace TicketMaster.EventsApi.Events;

public sealed class EventStore(MySqlDataSource dataSource, Outbox outbox)
{
    public sealed record CreateResult(EventDetails? Event, ValidationErrors? UnknownReferences);

    // One transaction: the event, its performers, its price per section, its seat count, and the outbox rows that
    // tell the Indexer and the sale. Either all of it exists or none. The sale reads the priced seats from the
    // catalog's API when it first meets the event.
    public async Task<CreateResult> CreateAsync(CreateEventRequest request, ClaimsPrincipal organizer, CancellationToken cancellationToken)
    {
        var eventId = Ids.New();
        var venueId = request.VenueId!.Value;
        var performerIds = (request.PerformerIds ?? []).Distinct().ToList();
        var prices = request.Prices!.ToDictionary(p => long.Parse(p.Key, CultureInfo.InvariantCulture), p => p.Value);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var errors = await CheckReferencesAsync(transaction, venueId, organizer, performerIds, prices, request.SectionOrder, cancellationToken);
        if (errors.Any)
        {
            return new CreateResult(null, errors);
        }

        await using (var insert = new MySqlCommand("""
            INSERT INTO event (event_id, owner_id, name, description, venue_id, starts_at, ends_at, on_sale_at, refundable_until, refund_fee_cents,
                max_tickets_per_user, waiting_room, hold_seconds, section_order)
            VALUES (@id, @owner, @name, @description, @venue, @startsAt, @endsAt, @onSaleAt, @refundableUntil, @refundFee, @maxTickets, @waitingRoom,
                @holdSeconds, @sectionOrder)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("@id", eventId);
            insert.Parameters.AddWithValue("@owner", organizer.UserId());
            insert.Parameters.AddWithValue("@name", request.EventName!.Trim());
            insert.Parameters.AddWithValue("@description", request.Description?.Trim() ?? "");
            insert.Parameters.AddWithValue("@venue", venueId);
            insert.Parameters.AddWithValue("@startsAt", request.StartsAt!.Value.UtcDateTime);
            insert.Parameters.AddWithValue("@endsAt", request.EndsAt!.Value.UtcDateTime);
            insert.Parameters.AddWithValue("@onSaleAt", (request.OnSaleAt ?? DateTimeOffset.UtcNow).UtcDateTime);
            insert.Parameters.AddWithValue("@refundableUntil", request.RefundableUntil?.UtcDateTime);
            insert.Parameters.AddWithValue("@refundFee", request.RefundFeeCents ?? 0);
            insert.Parameters.AddWithValue("@maxTickets", request.MaxTicketsPerUser ?? 8);
            insert.Parameters.AddWithValue("@waitingRoom", request.WaitingRoom ?? false);
            insert.Parameters.AddWithValue("@holdSeconds", request.HoldSeconds);
            insert.Parameters.AddWithValue("@sectionOrder", SectionOrderJson(request.SectionOrder));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (performerIds.Count > 0)
        {
            await ExecuteAsync(transaction,
                $"INSERT INTO event_performer (event_id, performer_id) VALUES {string.Join(',', performerIds.Select(p => $"({eventId},{p})"))}",
                cancellationToken);
        }

        await ExecuteAsync(transaction,
            $"INSERT INTO event_price (event_id, section_id, price_cents) VALUES {string.Join(',', prices.Select(p => $"({eventId},{p.Key},{p.Value})"))}",
            cancellationToken);
        await ExecuteAsync(transaction,
            $"INSERT INTO event_sales (event_id, seats_total) SELECT {eventId}, COUNT(*) FROM seat WHERE venue_id = {venueId}", cancellationToken);

        await AnnounceAsync(transaction, eventId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.NotifyCommitted();

        return new CreateResult(await GetAsync(eventId, cancellationToken), null);
    }

    public sealed record UpdateResult(EventDetails? Event, ValidationErrors? Invalid, string? Conflict = null);

    /// <summary>
    /// Applies the given fields and bumps the version; (null, null) when the event does not exist or is not the
    /// caller's to change (the same answer, so that another organizer learns nothing of it).
    /// </summary>
    public async Task<UpdateResult> UpdateAsync(long eventId, UpdateEventRequest request, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // A partial update is checked against the stored times it is combined with (row locked meanwhile).
        long venueId;
        await using (var current = new MySqlCommand(
            "SELECT starts_at, ends_at, on_sale_at, owner_id, status, refundable_until, venue_id FROM event WHERE event_id = @id FOR UPDATE",
            connection, transaction))
        {
            current.Parameters.AddWithValue("@id", eventId);
            await using var reader = await current.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) || !caller.CanManage(reader.GetString(3)))
            {
                return new UpdateResult(null, null);
            }
            // Cancelling stops the sale and is final: tickets sold for it are to be refunded, not sold again.
            if (reader.GetString(4) == EventStatuses.Cancelled && request.Status is { } status && status != EventStatuses.Cancelled)
            {
                return new UpdateResult(null, null, $"Event {eventId} is cancelled; a cancelled event cannot be scheduled again.");
            }
            var errors = EventValidation.CheckTimes(
                request.StartsAt ?? MySqlTime.Utc(reader.GetDateTime(0)),
                request.EndsAt ?? MySqlTime.Utc(reader.GetDateTime(1)),
                request.OnSaleAt ?? MySqlTime.Utc(reader.GetDateTime(2)),
                request.RefundableUntil ?? (reader.IsDBNull(5) ? null : MySqlTime.Utc(reader.GetDateTime(5))));
            if (errors.Any)
            {
                return new UpdateResult(null, errors);
            }
            venueId = reader.GetInt64(6);
        }
        if (request.SectionOrder is { Count: > 0 })
        {
            var orderErrors = new ValidationErrors();
            CheckSectionOrder(orderErrors, request.SectionOrder,
                await QueryIdsAsync(transaction, $"SELECT section_id FROM section WHERE venue_id = {venueId}", cancellationToken), venueId);
            if (orderErrors.Any)
            {
                return new UpdateResult(null, orderErrors);
            }
        }

        await using (var update = new MySqlCommand("""
            UPDATE event SET
                name = COALESCE(@name, name),
                description = COALESCE(@description, description),
                starts_at = COALESCE(@startsAt, starts_at),
                ends_at = COALESCE(@endsAt, ends_at),
                on_sale_at = COALESCE(@onSaleAt, on_sale_at),
                status = COALESCE(@status, status),
                max_tickets_per_user = COALESCE(@maxTickets, max_tickets_per_user),
                waiting_room = COALESCE(@waitingRoom, waiting_room),
                refundable_until = COALESCE(@refundableUntil, refundable_until),
                refund_fee_cents = COALESCE(@refundFee, refund_fee_cents),
                hold_seconds = COALESCE(@holdSeconds, hold_seconds),
                section_order = IF(@sectionOrder IS NULL, section_order, NULLIF(@sectionOrder, '[]')),
                version = version + 1,
                updated_at = CURRENT_TIMESTAMP(3)
            WHERE event_id = @id
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("@id", eventId);
            update.Parameters.AddWithValue("@name", request.EventName?.Trim());
            update.Parameters.AddWithValue("@description", request.Description?.Trim());
            update.Parameters.AddWithValue("@startsAt", request.StartsAt?.UtcDateTime);
            update.Parameters.AddWithValue("@endsAt", request.EndsAt?.UtcDateTime);
            update.Parameters.AddWithValue("@onSaleAt", request.OnSaleAt?.UtcDateTime);
            update.Parameters.AddWithValue("@status", request.Status);
            update.Parameters.AddWithValue("@maxTickets", request.MaxTicketsPerUser);
            update.Parameters.AddWithValue("@waitingRoom", request.WaitingRoom);
            update.Parameters.AddWithValue("@refundableUntil", request.RefundableUntil?.UtcDateTime);
            update.Parameters.AddWithValue("@refundFee", request.RefundFeeCents);
            update.Parameters.AddWithValue("@holdSeconds", request.HoldSeconds);
            update.Parameters.AddWithValue("@sectionOrder", SectionOrderJson(request.SectionOrder));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await AnnounceAsync(transaction, eventId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.NotifyCommitted();
        return new UpdateResult(await GetAsync(eventId, cancellationToken), null);
    }

    /// <summary>Most events one organizer's list shows: the latest to start first.</summary>
    public const int MaxListed = 100;

    public async Task<List<EventDetails>> OwnedByAsync(string ownerId, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var command = new MySqlCommand("SELECT event_id FROM event WHERE owner_id = @owner ORDER BY starts_at DESC LIMIT @limit", connection))
        {
            command.Parameters.AddWithValue("@owner", ownerId);
            command.Parameters.AddWithValue("@limit", MaxListed);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        var events = new List<EventDetails>(ids.Count);
        foreach (var id in ids)
        {
            if (await GetAsync(id, cancellationToken) is { } details)
            {
                events.Add(details);
            }
        }
        return events;
    }

    public async Task<EventDetails?> GetAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var document = await EventDocumentReader.ReadAsync(connection, null, eventId, cancellationToken);
        if (document is null)
        {
            return null;
        }

        // Prices and sales are the catalog's own records (event_price, event_sales), never the sale's seats.
        await using var command = new MySqlCommand("""
            SELECT e.on_sale_at, e.max_tickets_per_user, e.waiting_room,
                   (SELECT MIN(price_cents) FROM event_price WHERE event_id = e.event_id),
                   (SELECT MAX(price_cents) FROM event_price WHERE event_id = e.event_id),
                   COALESCE(es.seats_total, 0), COALESCE(es.seats_sold, 0), e.refundable_until, e.refund_fee_cents,
                   e.hold_seconds, e.section_order
            FROM event e LEFT JOIN event_sales es ON es.event_id = e.event_id WHERE e.event_id = @id
            """, connection);
        command.Parameters.AddWithValue("@id", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);

        var total = reader.GetInt64(5);
        var sold = reader.GetInt64(6);
        var priceRange = reader.IsDBNull(3) ? null : new PriceRange(reader.GetInt64(3), reader.GetInt64(4));
        return new EventDetails(document.EventId, document.EventName, document.Description, document.StartsAt, document.EndsAt,
            MySqlTime.Utc(reader.GetDateTime(0)), document.Status, document.Venue, document.Performers, priceRange,
            new Availability(total, total - sold, sold), reader.GetInt32(1), reader.GetBoolean(2),
            new RefundPolicy(reader.IsDBNull(7) ? null : MySqlTime.Utc(reader.GetDateTime(7)), reader.GetInt32(8)), document.Version,
            reader.IsDBNull(9) ? null : reader.GetInt32(9), reader.IsDBNull(10) ? null : ParseSectionOrder(reader.GetString(10)));
    }

    /// <summary>The owner's order of sections as stored (a JSON array of ids); null for none.</summary>
    public static string? SectionOrderJson(IReadOnlyList<long>? sectionOrder) =>
        sectionOrder is null ? null : JsonSerializer.Serialize(sectionOrder);

    public static IReadOnlyList<long> ParseSectionOrder(string json) => JsonSerializer.Deserialize<List<long>>(json) ?? [];

    private Task AnnounceAsync(MySqlTransaction transaction, long eventId, CancellationToken cancellationToken) =>
        SaleListing.AnnounceAsync(outbox, transaction, eventId, cancellationToken);

    // An organizer's events play at their own venues: another organizer's venue is answered like one that does not exist.
    private static async Task<ValidationErrors> CheckReferencesAsync(MySqlTransaction transaction, long venueId, ClaimsPrincipal organizer,
        List<long> performerIds, Dictionary<long, long> prices, List<long>? sectionOrder, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        await using var owner = new MySqlCommand("SELECT owner_id FROM venue WHERE venue_id = @venue", transaction.Connection, transaction);
        owner.Parameters.AddWithValue("@venue", venueId);
        var sections = await owner.ExecuteScalarAsync(cancellationToken) is string ownerId && organizer.CanManage(ownerId)
            ? await QueryIdsAsync(transaction, $"SELECT section_id FROM section WHERE venue_id = {venueId}", cancellationToken)
            : [];
        if (sections.Count == 0)
        {
            return errors.Add("venue_id", $"venue {venueId} does not exist or is not yours");
        }

        var missingPrices = sections.Where(s => !prices.ContainsKey(s)).ToList();
        if (missingPrices.Count > 0)
        {
            errors.Add("prices", $"every section needs a price; missing: {string.Join(", ", missingPrices)}");
        }
        var foreignSections = prices.Keys.Where(s => !sections.Contains(s)).ToList();
        if (foreignSections.Count > 0)
        {
            errors.Add("prices", $"not sections of venue {venueId}: {string.Join(", ", foreignSections)}");
        }
        CheckSectionOrder(errors, sectionOrder, sections, venueId);

        if (performerIds.Count > 0)
        {
            var known = await QueryIdsAsync(transaction,
                $"SELECT performer_id FROM performer WHERE performer_id IN ({string.Join(',', performerIds)})", cancellationToken);
            var unknown = performerIds.Where(p => !known.Contains(p)).ToList();
            if (unknown.Count > 0)
            {
                errors.Add("performer_ids", $"unknown performers: {string.Join(", ", unknown)}");
            }
        }
        return errors;
    }

    private static void CheckSectionOrder(ValidationErrors errors, List<long>? sectionOrder, HashSet<long> sections, long venueId)
    {
        var foreign = (sectionOrder ?? []).Where(s => !sections.Contains(s)).ToList();
        if (foreign.Count > 0)
        {
            errors.Add("section_order", $"not sections of venue {venueId}: {string.Join(", ", foreign)}");
        }
    }

    private static async Task<HashSet<long>> QueryIdsAsync(MySqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand(sql, transaction.Connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    private static async Task ExecuteAsync(MySqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand(sql, transaction.Connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
