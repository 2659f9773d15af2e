using TicketMaster.BookingApi.Caching;
using MySqlConnector;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Seats;

public sealed record EventSale(string Status, DateTimeOffset OnSaleAt, DateTimeOffset EndsAt, int MaxTicketsPerUser, bool WaitingRoom, int Capacity,
    IReadOnlyList<long> UnknownSeatIds, string OwnerId)
{
    /// <summary>Not a stored status: a scheduled event whose end has passed sells nothing more.</summary>
    public const string Ended = "ended";

    /// <summary>
    /// How long the event's Redis keys (sold set, seat log, waiting room) outlive its end. Nothing writes them once it
    /// has ended (it sells nothing), so this is their bound: a day for late lookups, then Redis drops them itself.
    /// </summary>
    public static readonly TimeSpan KeyRetention = TimeSpan.FromDays(1);

    /// <summary>The status as a sale sees it at <paramref name="now"/>: <see cref="Ended"/> once a scheduled event is over.</summary>
    public string StatusAt(DateTimeOffset now) => Status == EventStatuses.Scheduled && now >= EndsAt ? Ended : Status;

    public bool OnSale(DateTimeOffset now) => StatusAt(now) == EventStatuses.Scheduled && OnSaleAt <= now;

    /// <summary>When the event's Redis keys expire: <see cref="KeyRetention"/> after its end.</summary>
    public DateTimeOffset KeysExpireAt => EndsAt + KeyRetention;

    /// <summary><see cref="KeysExpireAt"/> as the scripts take it (unix ms).</summary>
    public long KeysExpireAtMilliseconds => KeysExpireAt.ToUnixTimeMilliseconds();

    public bool IsCancelled => Status == EventStatuses.Cancelled;
}

public sealed record SeatRow(long SeatId, string Section, string Row, int Number, long PriceCents, string Status);

// The event and seat facts the booking side reads from MySQL. A hot sale asks for the same event thousands of
// times a second, so its facts are kept in memory briefly: the seat list of an event never changes, its status
// and limits may (an organizer's PATCH), hence the short lifetime for those. A cancellation must stop every
// replica's sales within 1 s, so the sale facts live half that (one indexed row read per event per replica twice a
// second, whatever the load).
public sealed class SeatCatalog(MySqlDataSource dataSource, SingleFlightCache cache)
{
    public static readonly TimeSpan SaleFreshness = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SeatListLifetime = TimeSpan.FromMinutes(10);

    private sealed record SaleFacts(string Status, DateTimeOffset OnSaleAt, DateTimeOffset EndsAt, int MaxTicketsPerUser, bool WaitingRoom, string OwnerId);

    /// <summary>Null when the event does not exist.</summary>
    public async Task<EventSale?> GetSaleAsync(long eventId, IReadOnlyList<long> seatIds, CancellationToken cancellationToken)
    {
        var facts = await cache.GetAsync(("sale", eventId), SaleFreshness, async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await using var command = new MySqlCommand("SELECT status, on_sale_at, ends_at, max_tickets_per_user, waiting_room, owner_id FROM event WHERE event_id = @event", connection);
            command.Parameters.AddWithValue("@event", eventId);
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            return await reader.ReadAsync(CancellationToken.None)
                ? new SaleFacts(reader.GetString(0), MySqlTime.Utc(reader.GetDateTime(1)), MySqlTime.Utc(reader.GetDateTime(2)),
                    reader.GetInt32(3), reader.GetBoolean(4), reader.GetString(5))
                : null;
        });
        if (facts is null)
        {
            return null;
        }
        var known = await SeatRowsAsync(eventId, cancellationToken);
        return new EventSale(facts.Status, facts.OnSaleAt, facts.EndsAt, facts.MaxTicketsPerUser, facts.WaitingRoom, known.Count,
            seatIds.Where(s => !known.ContainsKey(s)).ToList(), facts.OwnerId);
    }

    /// <summary>The seats of the event by id, with section, row, number and price (fixed once the event exists; status not kept).</summary>
    public async Task<IReadOnlyDictionary<long, SeatRow>> SeatRowsAsync(long eventId, CancellationToken cancellationToken) =>
        (await cache.GetAsync(("seat-rows", eventId), SeatListLifetime, async () =>
        {
            return (await GetSeatsAsync(eventId, CancellationToken.None) ?? []).ToDictionary(s => s.SeatId);
        }))!;

    /// <summary>The event's sold seats and who bought each, from MySQL (the arbiter).</summary>
    public async Task<Dictionary<long, string>> BuyersAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT es.seat_id, b.user_id FROM event_seat es JOIN booking b ON b.booking_id = es.booking_id
            WHERE es.event_id = @event AND es.status = 'sold'
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        var buyers = new Dictionary<long, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buyers[reader.GetInt64(0)] = reader.GetString(1);
        }
        return buyers;
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
