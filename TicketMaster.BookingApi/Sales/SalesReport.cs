using MySqlConnector;
using TicketMaster.BookingApi.Caching;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;

namespace TicketMaster.BookingApi.Sales;

public sealed record SectionSales(string Section, int Capacity, int Sold, int Held, int Available, long RevenueCents);

public sealed record MinuteSales(DateTimeOffset Minute, long Tickets, long RevenueCents);

/// <summary>
/// An event's sale as its owner watches it: seats sold, held and available (overall and by section), revenue (what
/// was paid less what went back), refunds, check-ins, and tickets sold per minute over the last hour.
/// </summary>
public sealed record SalesSummary(long EventId, int Capacity, int Sold, int Held, int Available, long RevenueCents, long RefundedCents,
    long TicketsRefunded, long CheckedIn, IReadOnlyList<SectionSales> Sections, IReadOnlyList<MinuteSales> PerMinute);

// Seats come from MySQL (sold) and Redis (held); money, refunds and check-ins from MySQL. Computed at most every
// 400 ms per event and replica however many owners and streams ask, so a change shows within a second.
public sealed class SalesReport(MySqlDataSource dataSource, SeatCatalog catalog, HoldStore holds, SingleFlightCache cache)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromMilliseconds(400);

    /// <summary>Null when there is no such event.</summary>
    public Task<SalesSummary?> GetAsync(long eventId) =>
        cache.GetAsync(("sales", eventId), Freshness, () => ComputeAsync(eventId));

    private async Task<SalesSummary?> ComputeAsync(long eventId)
    {
        var seats = await catalog.GetSeatsAsync(eventId, CancellationToken.None);
        if (seats is null)
        {
            return null;
        }
        var held = await holds.HoldersAsync(eventId, seats.Where(s => s.Status == "available").Select(s => s.SeatId).ToList());

        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        var soldPrice = new Dictionary<long, long>();
        long revenue, refunded, ticketsRefunded, checkedIn;
        var perMinute = new List<MinuteSales>();
        await using (var read = new MySqlCommand("""
            SELECT seat_id, price_cents FROM ticket WHERE event_id = @event AND status = 'valid';
            SELECT (SELECT COALESCE(SUM(total_cents - refunded_cents), 0) FROM booking WHERE event_id = @event),
                   (SELECT COALESCE(SUM(refunded_cents), 0) FROM booking WHERE event_id = @event),
                   (SELECT COUNT(*) FROM ticket WHERE event_id = @event AND status = 'refunded'),
                   (SELECT COUNT(*) FROM ticket WHERE event_id = @event AND checked_in_at IS NOT NULL);
            SELECT FLOOR(UNIX_TIMESTAMP(b.created_at) / 60) * 60, COUNT(*), SUM(t.price_cents)
            FROM booking b JOIN ticket t ON t.booking_id = b.booking_id
            WHERE b.event_id = @event AND b.created_at >= CURRENT_TIMESTAMP(3) - INTERVAL 1 HOUR
            GROUP BY 1 ORDER BY 1;
            """, connection))
        {
            read.Parameters.AddWithValue("@event", eventId);
            await using var reader = await read.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None))
            {
                soldPrice[reader.GetInt64(0)] = reader.GetInt64(1);
            }
            await reader.NextResultAsync(CancellationToken.None);
            await reader.ReadAsync(CancellationToken.None);
            (revenue, refunded, ticketsRefunded, checkedIn) = (Convert.ToInt64(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)),
                reader.GetInt64(2), reader.GetInt64(3));
            await reader.NextResultAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None))
            {
                perMinute.Add(new MinuteSales(DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(reader.GetValue(0))), reader.GetInt64(1),
                    Convert.ToInt64(reader.GetValue(2))));
            }
        }

        var sections = seats.GroupBy(s => s.Section, StringComparer.Ordinal).Select(section =>
        {
            var sold = section.Count(s => s.Status == "sold");
            var heldHere = section.Count(s => s.Status != "sold" && held.ContainsKey(s.SeatId));
            return new SectionSales(section.Key, section.Count(), sold, heldHere, section.Count() - sold - heldHere,
                section.Where(s => soldPrice.ContainsKey(s.SeatId)).Sum(s => soldPrice[s.SeatId]));
        }).ToList();
        return new SalesSummary(eventId, seats.Count, sections.Sum(s => s.Sold), sections.Sum(s => s.Held), sections.Sum(s => s.Available),
            revenue, refunded, ticketsRefunded, checkedIn, sections, perMinute);
    }
}
