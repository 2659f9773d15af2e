using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;
using MySqlConnector;
using RabbitMQ.Client;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace TicketMaster.EventsApi.Sales;

// The catalog shows each event's availability from the sale's booking.confirmed and booking.refunded messages: it
// never reads the sale's tables. Each booking and each refund counts once (event_sold_booking, event_refund_counted),
// however often it is delivered; the event's cached details are evicted so the next read shows it.
public sealed class SoldSeatsConsumer(
    IConnection connection, MySqlDataSource dataSource, IOutputCacheStore cache, ILogger<SoldSeatsConsumer> logger)
    : MessageConsumer(connection, logger)
{
    protected override string Queue => BrokerTopology.CatalogSalesQueue;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        BrokerTopology.DeclareCatalogSalesQueueAsync(channel, cancellationToken);

    // A hot sale's bookings arrive hundreds a second: one transaction (one disk flush) counts all that are waiting,
    // gathered for up to 50 ms (the catalog's availability is refreshed once a second at most anyway).
    protected override int BatchSize => 128;

    protected override TimeSpan BatchLinger => TimeSpan.FromMilliseconds(50);

    protected override Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        CountAsync([Parse(messageType, body)], cancellationToken);

    protected override Task HandleBatchAsync(IReadOnlyList<ReceivedMessage> messages, CancellationToken cancellationToken) =>
        CountAsync(messages.Select(m => Parse(m.Type, m.Body)).ToList(), cancellationToken);

    /// <summary>A booking's seats to add, or a refund's to take back, counted once under its id in its ledger.</summary>
    private sealed record SeatCount(bool Refund, long Id, long EventId, int Seats);

    private static SeatCount Parse(string messageType, ReadOnlyMemory<byte> body)
    {
        if (messageType == BookingRefunded.MessageType)
        {
            var refund = Read<BookingRefunded>(messageType, body);
            return refund is { RefundId: > 0, EventId: > 0, SeatIds.Count: > 0 }
                ? new SeatCount(true, refund.RefundId, refund.EventId, refund.SeatIds.Count)
                : throw new PoisonMessageException("The booking.refunded body lacks refund_id, event_id or seat_ids.");
        }
        var booking = Read<BookingConfirmed>(messageType, body);
        return booking is { BookingId: > 0, EventId: > 0, SeatIds.Count: > 0 }
            ? new SeatCount(false, booking.BookingId, booking.EventId, booking.SeatIds.Count)
            : throw new PoisonMessageException("The booking.confirmed body lacks booking_id, event_id or seat_ids.");
    }

    // In a hot sale hundreds of bookings a second name one event: its cached details are evicted once a second at
    // most (availability lags by that), not once per booking.
    private readonly ConcurrentDictionary<long, bool> _changed = new();
    private Timer? _evictions;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _evictions = new Timer(_ => _ = EvictChangedAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return base.StartAsync(cancellationToken);
    }

    private async Task EvictChangedAsync()
    {
        foreach (var eventId in _changed.Keys)
        {
            _changed.TryRemove(eventId, out _);
            try
            {
                await cache.EvictByTagAsync(Events.EventsApi.CacheTag(eventId), CancellationToken.None);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                _changed[eventId] = true; // the next tick tries again
                logger.LogWarning(ex, "Could not evict the cached details of event {EventId}", eventId);
            }
        }
    }

    public override void Dispose()
    {
        _evictions?.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Adds each booking's seats to its event's sold seats (a refund's are taken back) unless that booking or refund
    /// was counted before (a redelivery): each id is claimed in its ledger in the same transaction, and only the ids
    /// not claimed before count. The ledger rows read are locked (and so are the gaps where the new ones go), so a
    /// replica counting the same delivery at once waits, or loses a deadlock and counts again, finding them claimed.
    /// </summary>
    private async Task CountAsync(IReadOnlyList<SeatCount> counts, CancellationToken cancellationToken)
    {
        var distinct = counts.DistinctBy(c => (c.Refund, c.Id)).ToList();
        var counted = await LockConflicts.RetryAsync(async () =>
        {
            await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await db.BeginTransactionAsync(cancellationToken);
            var claimedBefore = await ClaimedAsync(db, transaction, distinct, cancellationToken);
            var fresh = distinct.Where(c => !claimedBefore.Contains((c.Refund, c.Id))).ToList();
            if (fresh.Count == 0)
            {
                return [];
            }

            await using var write = new MySqlBatch(db, transaction);
            foreach (var ledger in fresh.GroupBy(c => c.Refund))
            {
                var claim = new MySqlBatchCommand(ledger.Key
                    ? "INSERT INTO event_refund_counted (refund_id, event_id, seats) VALUES "
                    : "INSERT INTO event_sold_booking (booking_id, event_id, seats) VALUES ");
                claim.CommandText += string.Join(", ", ledger.Select((c, i) =>
                {
                    claim.Parameters.AddWithValue($"@i{i}", c.Id);
                    claim.Parameters.AddWithValue($"@e{i}", c.EventId);
                    claim.Parameters.AddWithValue($"@s{i}", c.Seats);
                    return $"(@i{i}, @e{i}, @s{i})";
                }));
                write.BatchCommands.Add(claim);
            }
            foreach (var perEvent in fresh.GroupBy(c => c.EventId).OrderBy(g => g.Key))
            {
                write.BatchCommands.Add(new MySqlBatchCommand("UPDATE event_sales SET seats_sold = seats_sold + @seats WHERE event_id = @event")
                {
                    Parameters = { new("@event", perEvent.Key), new("@seats", perEvent.Sum(c => c.Refund ? -c.Seats : c.Seats)) },
                });
            }
            await write.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return fresh.Select(c => c.EventId).Distinct().ToList();
        }, cancellationToken);
        foreach (var eventId in counted)
        {
            _changed[eventId] = true;
        }
    }

    /// <summary>Which of these bookings and refunds were counted before, read with their rows (and gaps) locked.</summary>
    private static async Task<HashSet<(bool Refund, long Id)>> ClaimedAsync(
        MySqlConnection db, MySqlTransaction transaction, IReadOnlyList<SeatCount> counts, CancellationToken cancellationToken)
    {
        await using var read = new MySqlCommand("", db, transaction);
        var n = 0;
        read.CommandText = string.Join(";\n", counts.GroupBy(c => c.Refund).Select(ledger =>
        {
            var ids = string.Join(", ", ledger.Select(c =>
            {
                read.Parameters.AddWithValue($"@c{n}", c.Id);
                return $"@c{n++}";
            }));
            return ledger.Key
                ? $"SELECT TRUE, refund_id FROM event_refund_counted WHERE refund_id IN ({ids}) FOR UPDATE"
                : $"SELECT FALSE, booking_id FROM event_sold_booking WHERE booking_id IN ({ids}) FOR UPDATE";
        }));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var claimed = new HashSet<(bool, long)>();
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add((reader.GetBoolean(0), reader.GetInt64(1)));
            }
        }
        while (await reader.NextResultAsync(cancellationToken));
        return claimed;
    }
}
