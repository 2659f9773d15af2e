using RabbitMQ.Client;

namespace TicketMaster.ServiceDefaults.Messaging;

// RabbitMQ names shared by the outbox relay (publisher) and the Indexer (consumer), declared idempotently
// by whichever side starts first.
public static class CatalogTopology
{
    /// <summary>Topic exchange the outbox relay publishes catalog changes to (routing key = message type).</summary>
    public const string Exchange = "ticketmaster.catalog";

    /// <summary>Where the Indexer's rejected (poison) messages go.</summary>
    public const string DeadLetterExchange = "ticketmaster.catalog.dead-letter";

    public const string IndexerQueue = "indexer.catalog";
    public const string IndexerDeadLetterQueue = "indexer.catalog.dead-letter";

    public static async Task DeclareIndexerQueueAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);

        await channel.QueueDeclareAsync(IndexerDeadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(IndexerDeadLetterQueue, DeadLetterExchange, routingKey: "", cancellationToken: cancellationToken);

        await channel.QueueDeclareAsync(IndexerQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-dead-letter-exchange"] = DeadLetterExchange },
            cancellationToken: cancellationToken);
        await channel.QueueBindAsync(IndexerQueue, Exchange, routingKey: "#", cancellationToken: cancellationToken);
    }
}
