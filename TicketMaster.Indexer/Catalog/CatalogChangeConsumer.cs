using RabbitMQ.Client;
using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.Indexer.Catalog;

// The catalog's changes into the search index. A fresh (empty) index is rebuilt before live changes are applied on top.
public sealed class CatalogChangeConsumer(
    IConnection connection,
    CatalogChangeHandler handler,
    IEventIndexWriter index,
    IndexerStats stats,
    ILogger<CatalogChangeConsumer> logger) : MessageConsumer(connection, logger)
{
    private bool _indexChecked;

    protected override string Queue => BrokerTopology.IndexerQueue;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        BrokerTopology.DeclareIndexerQueueAsync(channel, cancellationToken);

    protected override async Task BeforeConsumingAsync(CancellationToken cancellationToken)
    {
        if (!_indexChecked && await index.IsEmptyAsync(cancellationToken))
        {
            await handler.ReindexAsync(cancellationToken);
        }
        _indexChecked = true;
    }

    protected override Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        handler.HandleAsync(messageType, body, cancellationToken);

    protected override void OnDeadLettered() => stats.DeadLettered();
}
