using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace TicketMaster.Messaging;

/// <summary>A message that can never be processed (bad JSON, unknown type): it goes to the dead-letter queue.</summary>
public sealed class PoisonMessageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A message as the consumer got it: its type and a copy of its body (the client's buffer is reused).</summary>
public sealed record ReceivedMessage(ulong DeliveryTag, string Type, string? MessageId, bool Redelivered, ActivityContext Parent, byte[] Body);

// Consumes one queue with manual acks: a message is acked only after it was handled, a poison message is rejected to
// the queue's dead-letter exchange (and the consumer goes on), any other failure is retried once. Messages are handled
// in the order they came, up to BatchSize at once: a consumer whose work costs a transaction each (a commit is a disk
// flush) does one for all the messages waiting; when a batch fails, each of its messages is handled alone, so one bad
// message never fails another. The channel is opened again after the broker comes back.
public abstract class MessageConsumer(IConnection connection, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private volatile bool _consuming;

    /// <summary>True while the queue exists and is consumed (a readiness check reads it from another thread).</summary>
    public bool Consuming => _consuming;

    protected abstract string Queue { get; }

    /// <summary>The most messages handed to <see cref="HandleBatchAsync"/> at once.</summary>
    protected virtual int BatchSize => 1;

    /// <summary>
    /// How long the first message of a batch waits for others to join it: a pass costs about the same for one
    /// message as for a hundred, so under load a short wait makes far fewer passes.
    /// </summary>
    protected virtual TimeSpan BatchLinger => TimeSpan.Zero;

    protected virtual ushort Prefetch => (ushort)Math.Clamp(BatchSize * 2, 32, ushort.MaxValue);

    /// <summary>Declares the queue (idempotent: the publisher's side may have declared it first).</summary>
    protected abstract Task DeclareAsync(IChannel channel, CancellationToken cancellationToken);

    protected abstract Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>
    /// Handles messages waiting together, all or none: when it throws, each is handled alone by <see cref="HandleAsync"/>
    /// (as is a batch of one). Every handler is idempotent (the broker delivers at least once), so handling one again
    /// after a failed batch is safe.
    /// </summary>
    protected virtual async Task HandleBatchAsync(IReadOnlyList<ReceivedMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await HandleAsync(message.Type, message.Body, cancellationToken);
        }
    }

    /// <summary>
    /// The body as <typeparamref name="T"/>; a message of another type, or a body that is not its JSON, is poison.
    /// </summary>
    protected static T Read<T>(string messageType, ReadOnlyMemory<byte> body) where T : class, IIntegrationEvent
    {
        if (messageType != T.MessageType)
        {
            throw new PoisonMessageException($"Unknown message type '{messageType}'.");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, MessageJson.Options)
                ?? throw new PoisonMessageException($"The {T.MessageType} body is empty.");
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException($"The {T.MessageType} body is not valid JSON.", ex);
        }
    }

    /// <summary>Before each (re)connection: work the consumer must do before it takes messages.</summary>
    protected virtual Task BeforeConsumingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A message was dead-lettered (counted by consumers that keep statistics).</summary>
    protected virtual void OnDeadLettered() { }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await BeforeConsumingAsync(stoppingToken);
                await using var channel = await connection.CreateChannelOnceRecoveredAsync(cancellationToken: stoppingToken);
                var inbox = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleReader = true });
                channel.ChannelShutdownAsync += (_, _) =>
                {
                    inbox.Writer.TryComplete();
                    return Task.CompletedTask;
                };

                await DeclareAsync(channel, stoppingToken);
                await channel.BasicQosAsync(0, Prefetch, global: false, stoppingToken);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) =>
                {
                    inbox.Writer.TryWrite(new ReceivedMessage(delivery.DeliveryTag, delivery.BasicProperties.Type ?? delivery.RoutingKey,
                        delivery.BasicProperties.MessageId, delivery.Redelivered, TraceHeaders.Extract(delivery.BasicProperties.Headers),
                        delivery.Body.ToArray()));
                    return Task.CompletedTask;
                };
                await channel.BasicConsumeAsync(Queue, autoAck: false, consumer, stoppingToken);

                _consuming = true;
                logger.LogInformation("Consuming {Queue}", Queue);
                var batch = new List<ReceivedMessage>();
                while (await inbox.Reader.WaitToReadAsync(stoppingToken))
                {
                    batch.Clear();
                    TakeWaiting(inbox.Reader, batch);
                    // Gathering is for a batch not yet full: with a full one waiting, a pause would only slow the queue down.
                    if (BatchLinger > TimeSpan.Zero && batch.Count < Math.Max(1, BatchSize))
                    {
                        await Task.Delay(BatchLinger, stoppingToken);
                        TakeWaiting(inbox.Reader, batch);
                    }
                    await ProcessAsync(channel, batch, stoppingToken);
                }
                logger.LogWarning("RabbitMQ channel of {Queue} closed; reconnecting", Queue);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Consumer of {Queue} failed; retrying in {Delay}", Queue, RetryDelay);
            }
            _consuming = false;
            await Task.Delay(RetryDelay, stoppingToken);
        }
    }

    private void TakeWaiting(ChannelReader<ReceivedMessage> inbox, List<ReceivedMessage> batch)
    {
        while (batch.Count < Math.Max(1, BatchSize) && inbox.TryRead(out var message))
        {
            batch.Add(message);
        }
    }

    private async Task ProcessAsync(IChannel channel, List<ReceivedMessage> batch, CancellationToken stoppingToken)
    {
        if (batch.Count == 1)
        {
            await ProcessOneAsync(channel, batch[0], stoppingToken);
            return;
        }
        using (var activity = OutboxRelay.ActivitySource.StartActivity($"{Queue} process", ActivityKind.Consumer, parentContext: default,
            links: batch.Where(m => m.Parent != default).Select(m => new ActivityLink(m.Parent))))
        {
            activity?.SetTag("messaging.system", "rabbitmq");
            activity?.SetTag("messaging.batch.message_count", batch.Count);
            try
            {
                await HandleBatchAsync(batch, stoppingToken);
                await channel.BasicAckAsync(batch[^1].DeliveryTag, multiple: true, stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                logger.LogWarning("A batch of {Count} messages of {Queue} failed ({Error}); handling them one by one", batch.Count, Queue, ex.Message);
            }
        }
        foreach (var message in batch)
        {
            await ProcessOneAsync(channel, message, stoppingToken);
        }
    }

    private async Task ProcessOneAsync(IChannel channel, ReceivedMessage message, CancellationToken stoppingToken)
    {
        using var activity = OutboxRelay.ActivitySource.StartActivity($"{Queue} process", ActivityKind.Consumer, message.Parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("messaging.message.type", message.Type);

        try
        {
            await HandleAsync(message.Type, message.Body, stoppingToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, stoppingToken);
        }
        catch (PoisonMessageException ex)
        {
            logger.LogError(ex, "Dead-lettering message {MessageId} ({Type}) of {Queue}", message.MessageId, message.Type, Queue);
            OnDeadLettered();
            await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: false, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // One more try for what may be transient; a message that fails twice is dead-lettered, not looped on.
            var requeue = !message.Redelivered;
            logger.LogError(ex, "Failed to handle message {MessageId} ({Type}) of {Queue}; {Action}",
                message.MessageId, message.Type, Queue, requeue ? "requeueing" : "dead-lettering");
            if (!requeue)
            {
                OnDeadLettered();
            }
            await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue, stoppingToken);
        }
    }
}
