using MySqlConnector;
using TicketMaster.BookingApi.Caching;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Seats;

/// <param name="HoldTime">The event's own hold time; null: Booking:HoldTtl.</param>
/// <param name="SectionOrder">The owner's order of sections for best available (best first); null: dearest first.</param>
public sealed record EventSale(string Status, DateTimeOffset OnSaleAt, DateTimeOffset EndsAt, int MaxTicketsPerUser, bool WaitingRoom, int Capacity,
    IReadOnlyList<long> UnknownSeatIds, string OwnerId, TimeSpan? HoldTime = null, IReadOnlyList<long>? SectionOrder = null)
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

public sealed record SeatRow(long SeatId, long SectionId, string Section, string Row, int Number, long PriceCents, string Status);

// The event and seat facts of a sale, from the sale's own tables (sale_event, event_seat); an event the sale has not
// met yet is listed first from the catalog's API. A hot sale asks for the same event thousands of times a second,
// so its facts are kept in memory briefly: the seat list of an event never changes, its status and limits may (an
// organizer's PATCH, arriving as event.sale_changed), hence the short lifetime for those. A cancellation must stop
// every replica's sales within about a second, so the sale facts live half that (one indexed row read per event
// per replica twice a second, whatever the load).
public sealed class SeatCatalog(MySqlDataSource dataSource, SaleEventStore sales, CatalogClient catalog, SingleFlightCache cache)
{
    public static readonly TimeSpan SaleFreshness = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SeatListLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Null when the event does not exist.</summary>
    public async Task<EventSale?> GetSaleAsync(long eventId, IReadOnlyList<long> seatIds, CancellationToken cancellationToken)
    {
        var facts = await TermsAsync(eventId);
        if (facts is null)
        {
            return null;
        }
        var known = await SeatRowsAsync(eventId, cancellationToken);
        return new EventSale(facts.Status, facts.OnSaleAt, facts.EndsAt, facts.MaxTicketsPerUser, facts.WaitingRoom, known.Count,
            seatIds.Where(s => !known.ContainsKey(s)).ToList(), facts.OwnerId, facts.HoldTime, facts.SectionOrder);
    }

    // The sale's terms of the event, listing it from the catalog first if the sale has not met it (null: no such event).
    private Task<SaleTerms?> TermsAsync(long eventId) =>
        cache.GetAsync(("sale", eventId), SaleFreshness, async () =>
        {
            if (await sales.ReadTermsAsync(eventId, CancellationToken.None) is { } terms)
            {
                return terms;
            }
            var listing = await catalog.GetListingAsync(eventId, CancellationToken.None);
            if (listing is null)
            {
                return null;
            }
            await sales.SaveListingAsync(listing, CancellationToken.None);
            return await sales.ReadTermsAsync(eventId, CancellationToken.None);
        });

    /// <summary>The seats of the event by id, with section, row, number and price (fixed once the event exists; status not kept).</summary>
    public async Task<IReadOnlyDictionary<long, SeatRow>> SeatRowsAsync(long eventId, CancellationToken cancellationToken) =>
        (await cache.GetAsync(("seat-rows", eventId), SeatListLifetime, async () =>
        {
            return (await GetSeatsAsync(eventId, CancellationToken.None) ?? []).ToDictionary(s => s.SeatId);
        }))!;

    /// <summary>The event's seats in the venue's order (best available and the seat index); null when no such event.</summary>
    public async Task<SeatLayout?> LayoutAsync(long eventId, CancellationToken cancellationToken) =>
        await cache.GetAsync(("seat-layout", eventId), SeatListLifetime, async () =>
        {
            var seats = await SeatRowsAsync(eventId, CancellationToken.None);
            return seats.Count == 0 && await TermsAsync(eventId) is null ? null : SeatLayout.From(seats.Values);
        });

    /// <summary>The event's sold seats and who holds each (the buyer, or whom it was transferred to), from MySQL (the arbiter).</summary>
    public async Task<Dictionary<long, string>> BuyersAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT es.seat_id, COALESCE(t.holder_id, b.user_id) FROM event_seat es JOIN booking b ON b.booking_id = es.booking_id
            LEFT JOIN ticket t ON t.event_id = es.event_id AND t.valid_seat_id = es.seat_id
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
        if (await TermsAsync(eventId) is null)
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT seat_id, section_id, section_name, row_label, seat_number, price_cents, status
            FROM event_seat WHERE event_id = @event
            ORDER BY section_name, row_label, seat_number
            """, connection);
        command.Parameters.AddWithValue("@event", eventId);
        var seats = new List<SeatRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            seats.Add(new SeatRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt64(5),
                reader.GetString(6)));
        }
        return seats;
    }
}
