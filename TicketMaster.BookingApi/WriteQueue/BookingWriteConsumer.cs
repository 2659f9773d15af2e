using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.WriteQueue;

// The writer end of the queue: takes whatever confirmations are waiting (up to BatchSize) and records them in one
// MySQL transaction (BookingWriter.WriteBatchAsync: each reservation still succeeds or fails on its own), marks
// the booked seats sold in Redis, replies to each caller, then acks. A crash before the ack redelivers the batch;
// writing it again finds the bookings already made (AlreadyBooked), so nothing is written twice.
public sealed class BookingWriteConsumer(IConnection connection, BookingWriter writer, HoldStore holds, IOptions<BookingOptions> options,
    ILogger<BookingWriteConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private sealed record Delivery(ulong Tag, string? ReplyTo, string? CorrelationId, byte[] Body);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Booking writer failed; reconnecting in {Delay}", RetryDelay);
            }
            await Task.Delay(RetryDelay, stoppingToken);
        }
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.WriteBatchSize;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await WriteQueueTopology.DeclareAsync(channel, stoppingToken);
        await channel.BasicQosAsync(0, (ushort)Math.Min(ushort.MaxValue, batchSize * 2), global: false, stoppingToken);

        // Deliveries are copied out of the client's buffers (valid only inside the handler) into a local inbox.
        var inbox = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
        channel.ChannelShutdownAsync += (_, _) =>
        {
            inbox.Writer.TryComplete();
            return Task.CompletedTask;
        };
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, d) =>
        {
            inbox.Writer.TryWrite(new Delivery(d.DeliveryTag, d.BasicProperties.ReplyTo, d.BasicProperties.CorrelationId, d.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(WriteQueueTopology.Queue, autoAck: false, consumer, stoppingToken);
        logger.LogInformation("Writing bookings from {Queue} in batches of up to {BatchSize}", WriteQueueTopology.Queue, batchSize);

        var batch = new List<(Delivery Delivery, BookingWrite Write)>(batchSize);
        while (await inbox.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < batchSize && inbox.Reader.TryRead(out var delivery))
            {
                if (Parse(delivery) is { } write)
                {
                    batch.Add((delivery, write));
                }
                else
                {
                    logger.LogError("Dropping an unreadable booking write {CorrelationId}", delivery.CorrelationId);
                    await channel.BasicNackAsync(delivery.Tag, multiple: false, requeue: false, stoppingToken);
                }
            }
            if (batch.Count > 0)
            {
                await WriteAsync(channel, batch, stoppingToken);
            }
        }
    }

    private async Task WriteAsync(IChannel channel, List<(Delivery Delivery, BookingWrite Write)> batch, CancellationToken stoppingToken)
    {
        IReadOnlyList<WriteResult> results;
        try
        {
            results = await writer.WriteBatchAsync(batch.Select(b => b.Write).ToList(), stoppingToken);
        }
        catch (MySqlConnector.MySqlException ex) when (batch.Count > 1)
        {
            // One bad write must not sink the others: write them one at a time, each in its own transaction.
            logger.LogWarning(ex, "A batch of {Count} booking writes failed; writing them one by one", batch.Count);
            foreach (var single in batch)
            {
                await WriteAsync(channel, [single], stoppingToken);
            }
            return;
        }
        catch (MySqlConnector.MySqlException ex)
        {
            // No reply: the caller answers 202 and the payment reconciler voids the unbooked authorization.
            logger.LogError(ex, "Booking write for {Reservation} failed; dropping it", batch[0].Write.Reservation.ReservationId);
            await channel.BasicNackAsync(batch[0].Delivery.Tag, multiple: false, requeue: false, stoppingToken);
            return;
        }

        // Redis learns about the sale only after MySQL committed it (a crash in between leaves the hold to lapse,
        // and the sold set is reloaded from MySQL whenever Redis lost it).
        await Task.WhenAll(batch.Zip(results).Where(p => p.Second.Outcome == WriteOutcome.Booked).Select(p => holds.MarkSoldAsync(p.First.Write.Reservation)));
        foreach (var ((delivery, _), result) in batch.Zip(results))
        {
            if (delivery.ReplyTo is { Length: > 0 } replyTo)
            {
                await channel.BasicPublishAsync("", replyTo, mandatory: false, new BasicProperties { CorrelationId = delivery.CorrelationId },
                    JsonSerializer.SerializeToUtf8Bytes(result, TicketMasterJson.Options), stoppingToken);
            }
        }
        await channel.BasicAckAsync(batch.Max(b => b.Delivery.Tag), multiple: true, stoppingToken);
    }

    private BookingWrite? Parse(Delivery delivery)
    {
        try
        {
            return JsonSerializer.Deserialize<BookingWrite>(delivery.Body, TicketMasterJson.Options);
        }
        catch (JsonException ex)
        {
            logger.LogError(ex, "Unreadable booking write");
            return null;
        }
    }
}
