using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;
using MySqlConnector;
using RabbitMQ.Client;
using TicketMaster.Messaging;

namespace TicketMaster.EventsApi.Sales;

// The catalog shows each event's availability from the sale's booking.confirmed messages: it never reads the sale's
// tables. Each booking counts once (event_sold_booking), however often it is delivered; the event's cached details
// are evicted so the next read shows it.
public sealed class SoldSeatsConsumer(
    IConnection connection, MySqlDataSource dataSource, IOutputCacheStore cache, ILogger<SoldSeatsConsumer> logger)
    : MessageConsumer(connection, logger)
{
    protected override string Queue => BrokerTopology.CatalogSalesQueue;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        BrokerTopology.DeclareCatalogSalesQueueAsync(channel, cancellationToken);

    protected override async Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var booking = Read<BookingConfirmed>(messageType, body);
        if (booking is not { BookingId: > 0, EventId: > 0, SeatIds.Count: > 0 })
        {
            throw new PoisonMessageException("The booking.confirmed body lacks booking_id, event_id or seat_ids.");
        }

        if (await CountAsync(booking, cancellationToken))
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

    /// <summary>Counts the booking unless it was counted before (a redelivery).</summary>
    private async Task<bool> CountAsync(BookingConfirmed booking, CancellationToken cancellationToken)
    {
        await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        await using var claim = new MySqlCommand(
            "INSERT IGNORE INTO event_sold_booking (booking_id, event_id, seats) VALUES (@booking, @event, @seats)", db, transaction);
        claim.Parameters.AddWithValue("@booking", booking.BookingId);
        claim.Parameters.AddWithValue("@event", booking.EventId);
        claim.Parameters.AddWithValue("@seats", booking.SeatIds.Count);
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }
        await using var count = new MySqlCommand(
            "UPDATE event_sales SET seats_sold = seats_sold + @seats WHERE event_id = @event", db, transaction);
        count.Parameters.AddWithValue("@event", booking.EventId);
        count.Parameters.AddWithValue("@seats", booking.SeatIds.Count);
        await count.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
