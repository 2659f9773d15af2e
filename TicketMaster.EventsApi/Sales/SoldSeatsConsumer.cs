using System.Text.Json;
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
    protected override string Queue => CatalogTopology.CatalogSalesQueue;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        CatalogTopology.DeclareCatalogSalesQueueAsync(channel, cancellationToken);

    protected override async Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (messageType != BookingConfirmed.MessageType)
        {
            throw new PoisonMessageException($"Unknown message type '{messageType}'.");
        }
        BookingConfirmed? booking;
        try
        {
            booking = JsonSerializer.Deserialize<BookingConfirmed>(body.Span, MessageJson.Options);
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException("The booking.confirmed body is not valid JSON.", ex);
        }
        if (booking is not { BookingId: > 0, EventId: > 0, SeatIds.Count: > 0 })
        {
            throw new PoisonMessageException("The booking.confirmed body lacks booking_id, event_id or seat_ids.");
        }

        if (await CountAsync(booking, cancellationToken))
        {
            await cache.EvictByTagAsync(Events.EventsApi.CacheTag(booking.EventId), cancellationToken);
        }
    }

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
            return false; // counted before: a redelivery
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
