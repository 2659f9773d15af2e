using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace TicketMaster.Messaging;

/// <summary>A message that can never be processed (bad JSON, unknown type): it goes to the dead-letter queue.</summary>
public sealed class PoisonMessageException(string message, Exception? inner = null) : Exception(message, inner);

// Consumes one queue with manual acks: a message is acked only after it was handled, a poison message is rejected to
// the queue's dead-letter exchange (and the consumer goes on), any other failure is retried once. The channel is
// opened again after the broker comes back.
public abstract class MessageConsumer(IConnection connection, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private volatile bool _consuming;

    /// <summary>True while the queue exists and is consumed (a readiness check reads it from another thread).</summary>
    public bool Consuming => _consuming;

    protected abstract string Queue { get; }

    protected virtual ushort Prefetch => 32;

    /// <summary>Declares the queue (idempotent: the publisher's side may have declared it first).</summary>
    protected abstract Task DeclareAsync(IChannel channel, CancellationToken cancellationToken);

    protected abstract Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

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
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                channel.ChannelShutdownAsync += (_, _) =>
                {
                    closed.TrySetResult();
                    return Task.CompletedTask;
                };

                await DeclareAsync(channel, stoppingToken);
                await channel.BasicQosAsync(0, Prefetch, global: false, stoppingToken);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(channel, delivery, stoppingToken);
                await channel.BasicConsumeAsync(Queue, autoAck: false, consumer, stoppingToken);

                _consuming = true;
                logger.LogInformation("Consuming {Queue}", Queue);
                await closed.Task.WaitAsync(stoppingToken);
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

    private async Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var messageType = delivery.BasicProperties.Type ?? delivery.RoutingKey;
        using var activity = OutboxRelay.ActivitySource.StartActivity($"{Queue} process", ActivityKind.Consumer,
            TraceHeaders.Extract(delivery.BasicProperties.Headers));
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.message.id", delivery.BasicProperties.MessageId);
        activity?.SetTag("messaging.message.type", messageType);

        try
        {
            await HandleAsync(messageType, delivery.Body, stoppingToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
        }
        catch (PoisonMessageException ex)
        {
            logger.LogError(ex, "Dead-lettering message {MessageId} ({Type}) of {Queue}", delivery.BasicProperties.MessageId, messageType, Queue);
            OnDeadLettered();
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // One more try for what may be transient; a message that fails twice is dead-lettered, not looped on.
            var requeue = !delivery.Redelivered;
            logger.LogError(ex, "Failed to handle message {MessageId} ({Type}) of {Queue}; {Action}",
                delivery.BasicProperties.MessageId, messageType, Queue, requeue ? "requeueing" : "dead-lettering");
            if (!requeue)
            {
                OnDeadLettered();
            }
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue, stoppingToken);
        }
    }
}
