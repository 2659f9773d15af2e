using RabbitMQ.Client;
using TicketMaster.ServiceDefaults.Messaging;

namespace TicketMaster.Indexer.Catalog;

// Declares the Indexer's queue (with its dead-letter queue) and keeps a channel open on it.
// Consuming and indexing catalog changes builds on this (catalog issue).
public sealed class CatalogChangeConsumer(IConnection connection, CatalogConsumerState state, ILogger<CatalogChangeConsumer> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                await CatalogTopology.DeclareIndexerQueueAsync(channel, stoppingToken);
                state.QueueDeclared = true;
                logger.LogInformation("Declared queue {Queue}", CatalogTopology.IndexerQueue);
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The client recovers the connection by itself; we only redo our declarations.
                state.QueueDeclared = false;
                logger.LogWarning(ex, "RabbitMQ channel failed; retrying in {Delay}", RetryDelay);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }
}
