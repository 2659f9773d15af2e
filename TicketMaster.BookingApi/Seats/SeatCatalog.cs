using MySqlConnector;
using TicketMaster.ServiceDefaults.Search;

namespace TicketMaster.BookingApi.Seats;

public sealed record EventSale(string Status, DateTimeOffset OnSaleAt, int MaxTicketsPerUser, IReadOnlyList<long> UnknownSeatIds);

public sealed record SeatRow(long SeatId, string Section, string Row, int Number, long PriceCents, string Status);

// The event and seat facts the booking side reads from MySQL.
public sealed class SeatCatalog(MySqlDataSource dataSource)
{
    /// <summary>Null when the event does not exist.</summary>
    public async Task<EventSale?> GetSaleAsync(long eventId, IReadOnlyList<long> seatIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand($"""
            SELECT e.status, e.on_sale_at, e.max_tickets_per_user,
                   (SELECT GROUP_CONCAT(es.seat_id) FROM event_seat es WHERE es.event_id = e.event_id AND es.seat_id IN ({string.Join(',', seatIds)}))
            FROM event e WHERE e.event_id = @event
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var known = reader.IsDBNull(3) ? [] : reader.GetString(3).Split(',').Select(long.Parse).ToHashSet();
        return new EventSale(reader.GetString(0), EventDocumentReader.Utc(reader.GetDateTime(1)), reader.GetInt32(2),
            seatIds.Where(s => !known.Contains(s)).ToList());
    }

    public async Task<int> TicketsBookedAsync(long eventId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT COUNT(*) FROM ticket t JOIN booking b ON b.booking_id = t.booking_id
            WHERE t.event_id = @event AND b.user_id = @user
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        command.Parameters.AddWithValue("@user", userId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
    }

    /// <summary>Every seat of the event with its section, row, number, price and sold/available status; null when no such event.</summary>
    public async Task<List<SeatRow>?> GetSeatsAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT es.seat_id, sc.name, s.row_label, s.seat_number, es.price_cents, es.status
            FROM event_seat es JOIN seat s ON s.seat_id = es.seat_id JOIN section sc ON sc.section_id = s.section_id
            WHERE es.event_id = @event
            ORDER BY sc.name, s.row_label, s.seat_number
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        var seats = new List<SeatRow>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                seats.Add(new SeatRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4), reader.GetString(5)));
            }
        }
        if (seats.Count == 0)
        {
            await using var exists = new MySqlCommand("SELECT 1 FROM event WHERE event_id = @event", connection);
            exists.Parameters.AddWithValue("@event", eventId);
            return await exists.ExecuteScalarAsync(cancellationToken) is null ? null : seats;
        }
        return seats;
    }
}
