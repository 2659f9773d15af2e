using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.WriteQueue;

// The confirm's side of the queued write (request/reply). Confirms waiting in this process at the same moment
// travel as ONE message (an array of writes) and come back as one reply on this process's own reply queue: on a
// small machine the broker's per-message cost, not MySQL, was what made one-message-per-confirm slower than
// writing directly. No reply within the timeout → null, and the caller answers 202 with a status URL; the write
// still happens (or not) and the status URL tells which.
public sealed class BookingWriteQueue(IConnection connection, IOptions<BookingOptions> options, ILogger<BookingWriteQueue> logger) : IAsyncDisposable
{
    private sealed record Pending(BookingWrite Write, TaskCompletionSource<WriteResult?> Reply);

    private readonly Channel<Pending> _outgoing = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Pending[]> _inFlight = new();
    private readonly object _startLock = new();
    private Task? _pumping;
    private volatile IChannel? _channel;
    private volatile bool _channelLost;
    private string _replyQueue = "";

    /// <returns>The writer's result, or null when it did not answer in time (it may still write).</returns>
    /// <exception cref="BrokerUnavailableException">The write could not be queued: the caller should write it.</exception>
    public async Task<WriteResult?> WriteAsync(BookingWrite write, CancellationToken cancellationToken)
    {
        EnsurePumping();
        var pending = new Pending(write, new TaskCompletionSource<WriteResult?>(TaskCreationOptions.RunContinuationsAsynchronously));
        _outgoing.Writer.TryWrite(pending);
        try
        {
            return await pending.Reply.Task.WaitAsync(options.Value.QueuedWriteTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("No reply from the booking writer for {Reservation} within {Timeout}; answering 202",
                write.Reservation.ReservationId, options.Value.QueuedWriteTimeout);
            return null;
        }
    }

    private void EnsurePumping()
    {
        if (_pumping is not null)
        {
            return;
        }
        lock (_startLock)
        {
            _pumping ??= Task.Run(PumpAsync);
        }
    }

    // Takes whatever confirms are waiting (up to the batch size) and publishes them as one message.
    private async Task PumpAsync()
    {
        var batchSize = options.Value.WriteBatchSize;
        while (await _outgoing.Reader.WaitToReadAsync())
        {
            var batch = new List<Pending>(batchSize);
            while (batch.Count < batchSize && _outgoing.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            var correlationId = Guid.NewGuid().ToString("N");
            _inFlight[correlationId] = [.. batch];
            try
            {
                var channel = await ChannelAsync();
                var properties = new BasicProperties
                {
                    CorrelationId = correlationId, ReplyTo = _replyQueue, ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent,
                };
                var body = JsonSerializer.SerializeToUtf8Bytes(batch.Select(p => p.Write).ToArray(), MessageJson.Options);
                await channel.BasicPublishAsync("", WriteQueueTopology.Queue, mandatory: false, properties, body);
            }
            catch (Exception ex)
            {
                // Not sent, as far as this process can tell: the callers write them themselves
                // (ConfirmBooking.WriteAsync). One that reached the broker after all finds its seats already booked by
                // its own reservation, as a redelivery does.
                logger.LogWarning(ex, "Could not queue {Count} booking writes; the confirms write them directly", batch.Count);
                _inFlight.TryRemove(correlationId, out _);
                batch.ForEach(p => p.Reply.TrySetException(new BrokerUnavailableException(ex)));
            }
        }
    }

    // One channel per process for requests and replies, made anew after any shutdown. The client's automatic recovery
    // would reopen the old one, but whether its reply queue and consumer came back with it is not something a confirm
    // can see: a lost reply queue answers every confirm 202. A fresh channel declares both itself.
    private async Task<IChannel> ChannelAsync()
    {
        if (_channel is { IsOpen: true } open && !_channelLost)
        {
            return open;
        }
        if (_channel is { } lost)
        {
            _channel = null;
            try
            {
                await lost.DisposeAsync();
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Closing the lost booking write channel failed");
            }
        }
        var channel = await connection.CreateChannelOnceRecoveredAsync();
        _channel = channel;
        _channelLost = false;
        channel.ChannelShutdownAsync += (_, _) =>
        {
            // Only the channel in use: closing a lost one must not fail the confirms about to use its successor.
            if (ReferenceEquals(_channel, channel))
            {
                _channelLost = true;
                FailInFlight();
            }
            return Task.CompletedTask;
        };
        await WriteQueueTopology.DeclareAsync(channel, CancellationToken.None);
        var replies = await channel.QueueDeclareAsync($"booking.replies.{Guid.NewGuid():N}", durable: false, exclusive: true, autoDelete: true);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (delivery.BasicProperties.CorrelationId is { } id && _inFlight.TryRemove(id, out var waiting))
            {
                var results = JsonSerializer.Deserialize<WriteResult[]>(delivery.Body.Span, MessageJson.Options) ?? [];
                for (var i = 0; i < waiting.Length; i++)
                {
                    waiting[i].Reply.TrySetResult(i < results.Length ? results[i] : null);
                }
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(replies.QueueName, autoAck: true, consumer);
        _replyQueue = replies.QueueName;
        return channel;
    }

    // The replies of a lost channel never come: the confirms waiting on it write themselves
    // (ConfirmBooking.WriteAsync). A write that did reach the broker is written again by the queue's writer, which
    // finds it already booked.
    private void FailInFlight()
    {
        foreach (var correlationId in _inFlight.Keys)
        {
            if (_inFlight.TryRemove(correlationId, out var waiting))
            {
                var lost = new BrokerUnavailableException(new IOException("The booking write channel closed before the reply came"));
                foreach (var pending in waiting)
                {
                    pending.Reply.TrySetException(lost);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
    }
}

/// <summary>A booking write that never reached the broker (it was down or the channel could not be opened).</summary>
public sealed class BrokerUnavailableException(Exception inner) : Exception("The booking write could not be queued", inner);
