using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.WriteQueue;

// The confirm's side of the queued write: publish the write, wait for the writer's reply on this process's own
// reply queue (request/reply, correlated by id). No reply within the timeout → null, and the caller answers 202
// with a status URL; the write still happens (or not) and the status URL tells which.
public sealed class BookingWriteQueue(IConnection connection, IOptions<BookingOptions> options, ILogger<BookingWriteQueue> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<WriteResult>> _pending = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;
    private string _replyQueue = "";

    public async Task<WriteResult?> WriteAsync(BookingWrite write, CancellationToken cancellationToken)
    {
        var correlationId = Guid.NewGuid().ToString("N");
        var reply = new TaskCompletionSource<WriteResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlationId] = reply;
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(write, TicketMasterJson.Options);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var channel = await ChannelAsync(cancellationToken);
                var properties = new BasicProperties
                {
                    CorrelationId = correlationId, ReplyTo = _replyQueue, ContentType = "application/json",
                    DeliveryMode = DeliveryModes.Persistent,
                };
                await channel.BasicPublishAsync("", WriteQueueTopology.Queue, mandatory: false, properties, body, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
            return await reply.Task.WaitAsync(options.Value.QueuedWriteTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("No reply from the booking writer for {Reservation} within {Timeout}; answering 202",
                write.Reservation.ReservationId, options.Value.QueuedWriteTimeout);
            return null;
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
        }
    }

    // One channel per process for requests and replies, made again after the broker closed it.
    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await WriteQueueTopology.DeclareAsync(channel, cancellationToken);
        var replies = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (delivery.BasicProperties.CorrelationId is { } id && _pending.TryGetValue(id, out var waiting))
            {
                var result = JsonSerializer.Deserialize<WriteResult>(delivery.Body.Span, TicketMasterJson.Options);
                if (result is not null)
                {
                    waiting.TrySetResult(result);
                }
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(replies.QueueName, autoAck: true, consumer, cancellationToken);
        _replyQueue = replies.QueueName;
        _channel = channel;
        return channel;
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
    }
}
