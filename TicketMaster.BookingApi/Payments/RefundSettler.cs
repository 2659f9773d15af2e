using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.Payments;

// A refund is owed from the moment its tickets were voided (the refund row commits with them); this gives it back.
// The cancel that wrote it settles it at once; a refund left pending (the process died, Redis or the provider
// failed) is settled here by the next pass of any replica: its seats leave Redis' sold set (those still available
// in MySQL: a seat sold again meanwhile stays sold), then the provider refunds under the refund's own idempotency
// key (asked twice, it refunds once), then the refund is marked refunded and the payment's refunded amount grows —
// once, under the pending → refunded condition. A provider that refuses postpones that refund with growing pauses.
public sealed class RefundSettler(MySqlDataSource dataSource, IPaymentGateway gateway, HoldStore holds, IOptions<BookingOptions> options,
    ILogger<RefundSettler> logger) : BackgroundService
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(10);

    /// <summary>Frees the refund's seats in Redis unless that was done; a Redis failure leaves it to the next pass.</summary>
    public async Task ReleaseSeatsAsync(long refundId, long eventId, string userId, IReadOnlyCollection<long> seatIds, CancellationToken cancellationToken)
    {
        try
        {
            await holds.ReleaseSoldAsync(eventId, userId, seatIds);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not free the seats of refund {RefundId} in Redis; the settler will", refundId);
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var mark = new MySqlCommand("UPDATE refund SET seats_released = TRUE WHERE refund_id = @refund", connection);
        mark.Parameters.AddWithValue("@refund", refundId);
        await mark.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Gives a pending refund's money back; a provider failure postpones it (the refund stays pending).</summary>
    public async Task SettleAsync(long refundId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        long amount;
        string? providerRef;
        await using (var read = new MySqlCommand("""
            SELECT r.amount_cents, b.payment_ref FROM refund r JOIN booking b ON b.booking_id = r.booking_id
            WHERE r.refund_id = @refund AND r.status = 'pending'
            """, connection))
        {
            read.Parameters.AddWithValue("@refund", refundId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return;
            }
            (amount, providerRef) = (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        }

        try
        {
            if (providerRef is not null)
            {
                await gateway.RefundAsync(providerRef, amount, $"refund:{refundId}", cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The provider refused refund {RefundId}; trying again later", refundId);
            await using var postpone = new MySqlCommand("""
                UPDATE refund SET attempts = attempts + 1,
                    next_attempt_at = CURRENT_TIMESTAMP(3) + INTERVAL LEAST(POW(2, attempts) * @base, @max) SECOND
                WHERE refund_id = @refund
                """, connection);
            postpone.Parameters.AddWithValue("@refund", refundId);
            postpone.Parameters.AddWithValue("@base", Math.Max(1, (int)options.Value.ReconcileInterval.TotalSeconds));
            postpone.Parameters.AddWithValue("@max", (int)MaxPause.TotalSeconds);
            await postpone.ExecuteNonQueryAsync(CancellationToken.None);
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        await using var settled = new MySqlCommand(
            "UPDATE refund SET status = 'refunded', settled_at = CURRENT_TIMESTAMP(3) WHERE refund_id = @refund AND status = 'pending'",
            connection, transaction);
        settled.Parameters.AddWithValue("@refund", refundId);
        if (await settled.ExecuteNonQueryAsync(CancellationToken.None) == 1)
        {
            await using var paid = new MySqlCommand("""
                UPDATE payment p JOIN refund r ON r.booking_id = p.booking_id SET p.refunded_cents = p.refunded_cents + r.amount_cents
                WHERE r.refund_id = @refund AND p.status = 'captured'
                """, connection, transaction);
            paid.Parameters.AddWithValue("@refund", refundId);
            await paid.ExecuteNonQueryAsync(CancellationToken.None);
        }
        await transaction.CommitAsync(CancellationToken.None);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundPasses.RunAsync(async cancellationToken =>
        {
            await SettlePendingAsync(cancellationToken);
            return false;
        }, () => options.Value.ReconcileInterval, logger, "Settling refunds", stoppingToken);

    /// <summary>One pass over the refunds left pending or with seats still sold in Redis. Its polls are not traced.</summary>
    public async Task SettlePendingAsync(CancellationToken cancellationToken)
    {
        List<(long RefundId, long EventId, string UserId, bool SeatsReleased, bool Pending)> due = [];
        using (BackgroundTracing.Quiet())
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var read = new MySqlCommand("""
                SELECT refund_id, event_id, user_id, seats_released, status = 'pending' FROM refund
                WHERE (status = 'pending' AND next_attempt_at <= CURRENT_TIMESTAMP(3) OR NOT seats_released)
                  AND created_at < CURRENT_TIMESTAMP(3) - INTERVAL @quiet SECOND
                ORDER BY created_at LIMIT 100
                """, connection);
            // A pending refund younger than this is still its cancel's to settle.
            read.Parameters.AddWithValue("@quiet", (int)options.Value.ReconcileAfter.TotalSeconds);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetBoolean(3), reader.GetBoolean(4)));
            }
        }
        foreach (var refund in due)
        {
            using var work = BackgroundTracing.Work("refund settle");
            if (!refund.SeatsReleased)
            {
                await ReleaseSeatsAsync(refund.RefundId, refund.EventId, refund.UserId, await StillAvailableSeatsAsync(refund.RefundId, cancellationToken),
                    cancellationToken);
            }
            if (refund.Pending)
            {
                await SettleAsync(refund.RefundId, cancellationToken);
            }
        }
    }

    // The refund's seats that are still on sale: one sold again since must stay in the sold set.
    private async Task<List<long>> StillAvailableSeatsAsync(long refundId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand("""
            SELECT t.seat_id FROM ticket t JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
            WHERE t.refund_id = @refund AND es.status = 'available'
            """, connection);
        read.Parameters.AddWithValue("@refund", refundId);
        var seats = new List<long>();
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            seats.Add(reader.GetInt64(0));
        }
        return seats;
    }
}
