using MySqlConnector;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;

namespace TicketMaster.BookingApi.Invariants;

/// <summary>
/// One event's booking invariants as seen now: no seat has two valid tickets; sold + held (seats held and not sold)
/// never exceeds capacity; no seat is held by one fan while sold to another. Violations is their sum and must be 0.
/// </summary>
public sealed record InvariantReport(long EventId, int Capacity, int Sold, int Held, int DoubleSold, int OverCapacity,
    int HeldByAnotherWhileSold, int Violations);

public sealed class SaleInvariants(MySqlDataSource dataSource, SeatCatalog catalog, HoldStore holds)
{
    /// <summary>Null when there is no such event.</summary>
    public Task<InvariantReport?> CheckAsync(long eventId, CancellationToken cancellationToken) =>
        CheckAsync(eventId, everySeat: true, cancellationToken);

    /// <summary>
    /// The violations alone, for the periodic gauge, reading the holds of sold seats only. The other seats' holds
    /// only count what is held and cannot make a violation (a seat is one row, sold or not, so sold + held-and-unsold
    /// cannot exceed capacity), yet during a sale they are most of the venue: 200 MGETs of 1,000 keys per check of a
    /// 200,000-seat event, 6 % of Redis' time in the booking benchmark. Null when there is no such event.
    /// </summary>
    public async Task<int?> ViolationsAsync(long eventId, CancellationToken cancellationToken) =>
        (await CheckAsync(eventId, everySeat: false, cancellationToken))?.Violations;

    private async Task<InvariantReport?> CheckAsync(long eventId, bool everySeat, CancellationToken cancellationToken)
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
        foreach (var (seat, reservationId) in await holds.HoldersAsync(eventId, (everySeat ? seats.Keys : buyers.Keys).ToList()))
        {
            if (!buyers.TryGetValue(seat, out var buyer))
            {
                held++;
                continue;
            }
            // Held by the buyer is the instant between the commit and the hold's release: not a violation.
            var holder = (await holds.ActiveAsync(eventId, reservationId))?.UserId;
            if (holder is not null && holder != buyer)
            {
                heldByAnother++;
            }
        }
        var overCapacity = Math.Max(0, buyers.Count + held - seats.Count);
        return new InvariantReport(eventId, seats.Count, buyers.Count, held, doubleSold, overCapacity, heldByAnother,
            doubleSold + overCapacity + heldByAnother);
    }

    // The unique index over valid tickets should make this 0 whatever happens; it is counted, not assumed.
    private async Task<int> DoubleSoldAsync(long eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var twice = new MySqlCommand(
            "SELECT COUNT(*) - COUNT(DISTINCT seat_id) FROM ticket WHERE event_id = @event AND status = 'valid'", connection);
        twice.Parameters.AddWithValue("@event", eventId);
        return Convert.ToInt32(await twice.ExecuteScalarAsync(cancellationToken));
    }
}
