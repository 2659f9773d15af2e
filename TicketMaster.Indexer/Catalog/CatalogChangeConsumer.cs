using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.Indexer.Catalog;

// Consumes catalog changes with manual acks: a message is acked only after the index committed it, a poison
// message is rejected to the dead-letter queue (and the consumer goes on), a failure is retried once.
public sealed class CatalogChangeConsumer(
    IConnection connection,
    CatalogChangeHandler handler,
    IEventIndexWriter index,
    CatalogConsumerState state,
    IndexerStats stats,
    ILogger<CatalogChangeConsumer> logger) : BackgroundService
{
    private static readonly ActivitySource ActivitySource = new("TicketMaster");
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private const ushort Prefetch = 32;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var indexChecked = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A fresh (empty) index is rebuilt from MySQL before live changes are applied on top.
                if (!indexChecked && await index.IsEmptyAsync(stoppingToken))
                {
                    await handler.ReindexAsync(stoppingToken);
                }
                indexChecked = true;

                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                channel.ChannelShutdownAsync += (_, _) =>
                {
                    closed.TrySetResult();
                    return Task.CompletedTask;
                };

                await CatalogTopology.DeclareIndexerQueueAsync(channel, stoppingToken);
                await channel.BasicQosAsync(0, Prefetch, global: false, stoppingToken);

                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(channel, delivery, stoppingToken);
                await channel.BasicConsumeAsync(CatalogTopology.IndexerQueue, autoAck: false, consumer, stoppingToken);

                state.QueueDeclared = true;
                logger.LogInformation("Consuming {Queue}", CatalogTopology.IndexerQueue);
                await closed.Task.WaitAsync(stoppingToken);
                logger.LogWarning("RabbitMQ channel closed; reconnecting");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Catalog consumer failed; retrying in {Delay}", RetryDelay);
            }
            state.QueueDeclared = false;
            await Task.Delay(RetryDelay, stoppingToken);
        }
    }

    private async Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var messageType = delivery.BasicProperties.Type ?? delivery.RoutingKey;
        using var activity = ActivitySource.StartActivity($"{CatalogTopology.IndexerQueue} process", ActivityKind.Consumer,
            TraceHeaders.Extract(delivery.BasicProperties.Headers));
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.message.id", delivery.BasicProperties.MessageId);
        activity?.SetTag("messaging.message.type", messageType);

        try
        {
            await handler.HandleAsync(messageType, delivery.Body, stoppingToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
        }
        catch (PoisonMessageException ex)
        {
            logger.LogError(ex, "Dead-lettering message {MessageId} ({Type})", delivery.BasicProperties.MessageId, messageType);
            stats.DeadLettered();
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // One more try for what may be transient; a message that fails twice is dead-lettered, not looped on.
            var requeue = !delivery.Redelivered;
            logger.LogError(ex, "Failed to index message {MessageId} ({Type}); {Action}",
                delivery.BasicProperties.MessageId, messageType, requeue ? "requeueing" : "dead-lettering");
            if (!requeue)
            {
                stats.DeadLettered();
            }
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue, stoppingToken);
        }
    }
}
