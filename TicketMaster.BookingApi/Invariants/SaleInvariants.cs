using MySqlConnector;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;

namespace TicketMaster.BookingApi.Invariants;

/// <summary>
/// One event's booking invariants as seen now: no seat has two tickets; sold + held (seats held and not sold)
/// never exceeds capacity; no seat is held by one fan while sold to another. Violations is their sum and must be 0.
/// </summary>
public sealed record InvariantReport(long EventId, int Capacity, int Sold, int Held, int DoubleSold, int OverCapacity,
    int HeldByAnotherWhileSold, int Violations);

public sealed class SaleInvariants(MySqlDataSource dataSource, IConnectionMultiplexer redis, SeatCatalog catalog)
{
    /// <summary>Null when there is no such event.</summary>
    public async Task<InvariantReport?> CheckAsync(long eventId, CancellationToken cancellationToken)
    {
        var seats = await catalog.SeatRowsAsync(eventId, cancellationToken);
        if (seats.Count == 0)
        {
            return null;
        }
        var (buyers, doubleSold) = await SoldAsync(eventId, cancellationToken);

        var db = redis.GetDatabase();
        var held = 0;
        var heldByAnother = 0;
        foreach (var chunk in seats.Keys.Chunk(1_000))
        {
            var holders = await db.StringGetAsync(chunk.Select(s => HoldKeys.Hold(eventId, s)).ToArray());
            for (var i = 0; i < chunk.Length; i++)
            {
                if (holders[i].IsNull)
                {
                    continue;
                }
                if (!buyers.TryGetValue(chunk[i], out var buyer))
                {
                    held++;
                    continue;
                }
                // Held by the buyer is the instant between the commit and the hold's release: not a violation.
                var holder = (string?)await db.HashGetAsync(HoldKeys.Reservation(eventId, (string)holders[i]!), "user");
                if (holder is not null && holder != buyer)
                {
                    heldByAnother++;
                }
            }
        }
        var overCapacity = Math.Max(0, buyers.Count + held - seats.Count);
        return new InvariantReport(eventId, seats.Count, buyers.Count, held, doubleSold, overCapacity, heldByAnother,
            doubleSold + overCapacity + heldByAnother);
    }

    private async Task<(Dictionary<long, string> Buyers, int DoubleSold)> SoldAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var buyers = new Dictionary<long, string>();
        await using (var command = new MySqlCommand("""
            SELECT es.seat_id, b.user_id FROM event_seat es JOIN booking b ON b.booking_id = es.booking_id
            WHERE es.event_id = @event AND es.status = 'sold'
            """, connection))
        {
            command.Parameters.AddWithValue("@event", eventId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                buyers[reader.GetInt64(0)] = reader.GetString(1);
            }
        }
        // UNIQUE(event_id, seat_id) should make this 0 whatever happens; it is counted, not assumed.
        await using var twice = new MySqlCommand(
            "SELECT COUNT(*) - COUNT(DISTINCT seat_id) FROM ticket WHERE event_id = @event", connection);
        twice.Parameters.AddWithValue("@event", eventId);
        return (buyers, Convert.ToInt32(await twice.ExecuteScalarAsync(cancellationToken)));
    }
}
