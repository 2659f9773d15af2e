using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.WriteQueue;

// The writer end of the queue (WriteConcurrency loops per replica): each takes whatever messages are waiting
// (each an array of confirmations from one replica; up to BatchSize confirmations in all), records them in one
// MySQL transaction (BookingWriter.WriteBatchAsync: each reservation still succeeds or fails on its own), marks
// the booked seats sold in Redis, replies to each message, then acks. A crash before the ack redelivers the
// batch; writing it again finds the bookings already made (AlreadyBooked), so nothing is written twice.
public sealed class BookingWriteConsumer(IConnection connection, BookingWriter writer, HoldStore holds, IOptions<BookingOptions> options,
    ILogger<BookingWriteConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private sealed record Delivery(ulong Tag, string? ReplyTo, string? CorrelationId, byte[] Body);

    private sealed record Message(Delivery Delivery, BookingWrite[] Writes);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Each loop has its own channel (and prefetch): the broker hands messages to whichever loop has room.
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.WriteConcurrency)).Select(_ => RunLoopAsync(stoppingToken)));

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        // A broker outage fails every attempt the same way: the first failure of a run is logged with its exception,
        // the ones right after it as one line each (not a stack trace per loop every 2 s).
        var failuresInARow = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
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
                failuresInARow = Stopwatch.GetElapsedTime(started) > RetryDelay ? 1 : failuresInARow + 1;
                if (failuresInARow == 1)
                {
                    logger.LogWarning(ex, "Booking writer failed; reconnecting every {Delay}", RetryDelay);
                }
                else
                {
                    logger.LogWarning("Booking writer still cannot consume ({Failures} attempts): {Error}", failuresInARow, ex.Message);
                }
            }
            await Task.Delay(RetryDelay, stoppingToken);
        }
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.WriteBatchSize;
        await using var channel = await connection.CreateChannelOnceRecoveredAsync(cancellationToken: stoppingToken);
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

        var batch = new List<Message>();
        while (await inbox.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            var writes = 0;
            while (writes < batchSize && inbox.Reader.TryRead(out var delivery))
            {
                if (Parse(delivery) is { Length: > 0 } parsed)
                {
                    batch.Add(new Message(delivery, parsed));
                    writes += parsed.Length;
                }
                else
                {
                    logger.LogError("Dropping an unreadable booking write message {CorrelationId}", delivery.CorrelationId);
                    await channel.BasicNackAsync(delivery.Tag, multiple: false, requeue: false, stoppingToken);
                }
            }
            if (batch.Count > 0)
            {
                await WriteAsync(channel, batch, stoppingToken);
            }
        }
    }

    private async Task WriteAsync(IChannel channel, List<Message> batch, CancellationToken stoppingToken)
    {
        var writes = batch.SelectMany(m => m.Writes).ToList();
        IReadOnlyList<WriteResult> results;
        try
        {
            results = await writer.WriteBatchAsync(writes, stoppingToken);
        }
        catch (MySqlConnector.MySqlException ex) when (batch.Count > 1)
        {
            // One bad message must not sink the others: write them one message at a time.
            logger.LogWarning(ex, "A batch of {Count} booking writes failed; writing message by message", writes.Count);
            foreach (var single in batch)
            {
                await WriteAsync(channel, [single], stoppingToken);
            }
            return;
        }
        catch (MySqlConnector.MySqlException ex) when (writes.Count > 1)
        {
            // One message carries several fans' confirms: write them one by one, so only a write that fails alone fails.
            logger.LogWarning("A message of {Count} booking writes failed ({Error}); writing them one by one", writes.Count, ex.Message);
            results = await WriteOneByOneAsync(writes, stoppingToken);
        }
        catch (MySqlConnector.MySqlException ex) when (!ex.IsTransient)
        {
            // This write cannot be recorded as it is (its own data): its confirm is told so and voids its payment.
            logger.LogError(ex, "Booking write of reservation {Reservation} failed", writes[0].Reservation.ReservationId);
            results = [WriteResult.Failed];
        }
        catch (MySqlConnector.MySqlException ex)
        {
            // MySQL is away: no reply; the callers answer 202 and the payment reconciler voids the unbooked authorizations.
            logger.LogError(ex, "Booking writes of message {CorrelationId} failed; dropping them", batch[0].Delivery.CorrelationId);
            await channel.BasicNackAsync(batch[0].Delivery.Tag, multiple: false, requeue: false, stoppingToken);
            return;
        }

        // Redis learns about the sale only after MySQL committed it. A redelivered write (AlreadyBooked) is marked
        // again: if Redis failed after the first commit, this is when its seats join the sold set (marking is
        // idempotent; the stream may see "sold" twice, which clients treat as a state).
        await holds.MarkSoldAsync(writes.Zip(results).Where(p => p.Second.Outcome is WriteOutcome.Booked or WriteOutcome.AlreadyBooked)
            .Select(p => p.First.Reservation).ToList());
        var offset = 0;
        foreach (var message in batch)
        {
            var slice = results.Skip(offset).Take(message.Writes.Length).ToArray();
            offset += message.Writes.Length;
            if (message.Delivery.ReplyTo is { Length: > 0 } replyTo)
            {
                await channel.BasicPublishAsync("", replyTo, mandatory: false, new BasicProperties { CorrelationId = message.Delivery.CorrelationId },
                    JsonSerializer.SerializeToUtf8Bytes(slice, MessageJson.Options), stoppingToken);
            }
        }
        await channel.BasicAckAsync(batch.Max(m => m.Delivery.Tag), multiple: true, stoppingToken);
    }

    private async Task<IReadOnlyList<WriteResult>> WriteOneByOneAsync(IReadOnlyList<BookingWrite> writes, CancellationToken stoppingToken)
    {
        var results = new List<WriteResult>(writes.Count);
        foreach (var write in writes)
        {
            // WriteAsync answers Failed for a write the database refuses, and throws only when the database is away.
            var result = await writer.WriteAsync(write, stoppingToken);
            if (result.Outcome == WriteOutcome.Failed)
            {
                logger.LogError("Booking write of reservation {Reservation} failed on its own", write.Reservation.ReservationId);
            }
            results.Add(result);
        }
        return results;
    }

    private BookingWrite[]? Parse(Delivery delivery)
    {
        try
        {
            return JsonSerializer.Deserialize<BookingWrite[]>(delivery.Body, MessageJson.Options);
        }
        catch (JsonException ex)
        {
            logger.LogError(ex, "Unreadable booking write");
            return null;
        }
    }
}
