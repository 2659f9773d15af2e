using RabbitMQ.Client;

namespace TicketMaster.Messaging;

// RabbitMQ names shared by the outbox relay (publisher) and the Indexer (consumer), declared idempotently
// by whichever side starts first.
public static class CatalogTopology
{
    /// <summary>Topic exchange the outbox relay publishes catalog changes to (routing key = message type).</summary>
    public const string Exchange = "ticketmaster.catalog";

    /// <summary>Where the Indexer's rejected (poison) messages go.</summary>
    public const string DeadLetterExchange = "ticketmaster.catalog.dead-letter";

    /// <summary>Topic exchange for booking facts (booking.confirmed); the Indexer does not listen there.</summary>
    public const string BookingExchange = "ticketmaster.booking";

    public const string IndexerQueue = "indexer.catalog";

    /// <summary>Where the outbox relay publishes a message type.</summary>
    public static string ExchangeFor(string messageType) =>
        messageType.StartsWith("booking.", StringComparison.Ordinal) ? BookingExchange : Exchange;

    public static async Task DeclareExchangesAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(BookingExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await DeclareIndexerQueueAsync(channel, cancellationToken);
    }
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
