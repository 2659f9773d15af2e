using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;
using MySqlConnector;
using RabbitMQ.Client;
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

    protected override async Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (messageType == BookingRefunded.MessageType)
        {
            var refund = Read<BookingRefunded>(messageType, body);
            if (refund is not { RefundId: > 0, EventId: > 0, SeatIds.Count: > 0 })
            {
                throw new PoisonMessageException("The booking.refunded body lacks refund_id, event_id or seat_ids.");
            }
            if (await CountAsync("event_refund_counted", refund.RefundId, refund.EventId, -refund.SeatIds.Count, cancellationToken))
            {
                _changed[refund.EventId] = true;
            }
            return;
        }
        var booking = Read<BookingConfirmed>(messageType, body);
        if (booking is not { BookingId: > 0, EventId: > 0, SeatIds.Count: > 0 })
        {
            throw new PoisonMessageException("The booking.confirmed body lacks booking_id, event_id or seat_ids.");
        }
        if (await CountAsync("event_sold_booking", booking.BookingId, booking.EventId, booking.SeatIds.Count, cancellationToken))
        {
            _changed[booking.EventId] = true;
        }
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
    /// Adds <paramref name="seats"/> (negative for a refund) to the event's sold seats unless this booking or refund was
    /// counted before (a redelivery): its id is claimed in <paramref name="ledger"/> in the same transaction.
    /// </summary>
    private async Task<bool> CountAsync(string ledger, long id, long eventId, int seats, CancellationToken cancellationToken)
    {
        var idColumn = ledger == "event_refund_counted" ? "refund_id" : "booking_id";
        await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        await using var claim = new MySqlCommand(
            $"INSERT IGNORE INTO {ledger} ({idColumn}, event_id, seats) VALUES (@id, @event, @seats)", db, transaction);
        claim.Parameters.AddWithValue("@id", id);
        claim.Parameters.AddWithValue("@event", eventId);
        claim.Parameters.AddWithValue("@seats", Math.Abs(seats));
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }
        await using var count = new MySqlCommand(
            "UPDATE event_sales SET seats_sold = seats_sold + @seats WHERE event_id = @event", db, transaction);
        count.Parameters.AddWithValue("@event", eventId);
        count.Parameters.AddWithValue("@seats", seats);
        await count.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
