using MySqlConnector;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.EventsApi.Events;

// Builds EventDocuments from the catalog's tables: for the outbox payload (inside the writing transaction) and for
// the Indexer's rebuild (the whole catalog, page by page in event_id order, through EventsApi's
// GET /v1/admin/catalog/documents).
public static class EventDocumentReader
{
    private const string SelectEvents = """
        SELECT e.event_id, e.version, e.name, e.description, e.starts_at, e.ends_at, e.status,
               v.venue_id, v.name, v.city, v.address
        FROM event e JOIN venue v ON v.venue_id = e.venue_id
        """;

    public static async Task<EventDocument?> ReadAsync(MySqlConnection connection, MySqlTransaction? transaction, long eventId, CancellationToken cancellationToken)
    {
        var documents = await ReadPageAsync(connection, transaction, $"{SelectEvents} WHERE e.event_id = @after", eventId, cancellationToken);
        return documents.SingleOrDefault();
    }

    public const int MaxPageSize = 2_000;

    /// <summary>Up to <paramref name="limit"/> documents with event ids above <paramref name="after"/>, in id order.</summary>
    public static async Task<List<EventDocument>> ReadPageAsync(MySqlDataSource dataSource, long after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadPageAsync(connection, null, $"{SelectEvents} WHERE e.event_id > @after ORDER BY e.event_id LIMIT {limit}", after, cancellationToken);
    }

    private static async Task<List<EventDocument>> ReadPageAsync(MySqlConnection connection, MySqlTransaction? transaction,
        string sql, long parameter, CancellationToken cancellationToken)
    {
        var rows = new List<(long EventId, long Version, string Name, string Description, DateTime StartsAt, DateTime EndsAt, string Status, VenueSummary Venue)>();
        await using (var command = new MySqlCommand(sql, connection, transaction))
        {
            command.Parameters.AddWithValue("@after", parameter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetDateTime(4),
                    reader.GetDateTime(5), reader.GetString(6),
                    new VenueSummary(reader.GetInt64(7), reader.GetString(8), reader.GetString(9), reader.GetString(10))));
            }
        }
        if (rows.Count == 0)
        {
            return [];
        }

        var performers = await ReadPerformersAsync(connection, transaction, rows.Select(r => r.EventId), cancellationToken);
        return rows.Select(r => new EventDocument(r.EventId, r.Version, r.Name, r.Description, MySqlTime.Utc(r.StartsAt), MySqlTime.Utc(r.EndsAt), r.Status,
            r.Venue, performers.TryGetValue(r.EventId, out var list) ? list : [])).ToList();
    }

    private static async Task<Dictionary<long, List<PerformerSummary>>> ReadPerformersAsync(MySqlConnection connection,
        MySqlTransaction? transaction, IEnumerable<long> eventIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, List<PerformerSummary>>();
        await using var command = new MySqlCommand($"""
            SELECT ep.event_id, p.performer_id, p.name
            FROM event_performer ep JOIN performer p ON p.performer_id = ep.performer_id
            WHERE ep.event_id IN ({string.Join(',', eventIds)})
            ORDER BY ep.event_id, p.name
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var eventId = reader.GetInt64(0);
            if (!result.TryGetValue(eventId, out var list))
            {
                result[eventId] = list = [];
            }
            list.Add(new PerformerSummary(reader.GetInt64(1), reader.GetString(2)));
        }
        return result;
    }

}
