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

public sealed class SaleInvariants(MySqlDataSource dataSource, IConnectionMultiplexer redis, SeatCatalog catalog, HoldStore holds)
{
    /// <summary>Null when there is no such event.</summary>
    public async Task<InvariantReport?> CheckAsync(long eventId, CancellationToken cancellationToken)
    {
        var seats = await catalog.SeatRowsAsync(eventId, cancellationToken);
        if (seats.Count == 0)
        {
            return null;
        }
        var buyers = await catalog.BuyersAsync(eventId, cancellationToken);
        var doubleSold = await DoubleSoldAsync(eventId, cancellationToken);

        var held = 0;
        var heldByAnother = 0;
        foreach (var (seat, reservationId) in await holds.HoldersAsync(eventId, seats.Keys.ToList()))
        {
            if (!buyers.TryGetValue(seat, out var buyer))
            {
                held++;
                continue;
            }
            // Held by the buyer is the instant between the commit and the hold's release: not a violation.
            var holder = (string?)await redis.GetDatabase().HashGetAsync(HoldKeys.Reservation(eventId, reservationId), "user");
            if (holder is not null && holder != buyer)
            {
                heldByAnother++;
            }
        }
        var overCapacity = Math.Max(0, buyers.Count + held - seats.Count);
        return new InvariantReport(eventId, seats.Count, buyers.Count, held, doubleSold, overCapacity, heldByAnother,
            doubleSold + overCapacity + heldByAnother);
    }

    // UNIQUE(event_id, seat_id) should make this 0 whatever happens; it is counted, not assumed.
    private async Task<int> DoubleSoldAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var twice = new MySqlCommand(
            "SELECT COUNT(*) - COUNT(DISTINCT seat_id) FROM ticket WHERE event_id = @event", connection);
        twice.Parameters.AddWithValue("@event", eventId);
        return Convert.ToInt32(await twice.ExecuteScalarAsync(cancellationToken));
    }
}
