using RabbitMQ.Client;

namespace TicketMaster.Messaging;

// RabbitMQ names shared by the publishers (the outbox relays) and the consumers, declared idempotently by whichever
// side starts first, so a message published before its consumer first starts waits in the consumer's queue.
public static class BrokerTopology
{
    /// <summary>Topic exchange the catalog's relay publishes to (routing key = message type).</summary>
    public const string Exchange = "ticketmaster.catalog";

    /// <summary>Where the Indexer's rejected (poison) messages go.</summary>
    public const string DeadLetterExchange = "ticketmaster.catalog.dead-letter";

    /// <summary>Topic exchange the sale's relay publishes to (booking.confirmed).</summary>
    public const string BookingExchange = "ticketmaster.booking";

    /// <summary>Where EventsApi's rejected booking messages go.</summary>
    public const string BookingDeadLetterExchange = "ticketmaster.booking.dead-letter";

    public const string IndexerQueue = "indexer.catalog";
    public const string IndexerDeadLetterQueue = "indexer.catalog.dead-letter";

    /// <summary>BookingApi's queue of the catalog's changes to a sale's terms.</summary>
    public const string SaleTermsQueue = "bookingapi.catalog";
    public const string SaleTermsDeadLetterQueue = "bookingapi.catalog.dead-letter";
    /// <summary>Where BookingApi's rejected catalog messages go (an exchange of its own: dead-letter exchanges fan out).</summary>
    public const string SaleTermsDeadLetterExchange = "ticketmaster.catalog.sale-dead-letter";

    /// <summary>EventsApi's queue of sold seats (the availability it shows).</summary>
    public const string CatalogSalesQueue = "eventsapi.bookings";
    public const string CatalogSalesDeadLetterQueue = "eventsapi.bookings.dead-letter";

    /// <summary>Where a relay publishes a message type.</summary>
    public static string ExchangeFor(string messageType) =>
        messageType.StartsWith("booking.", StringComparison.Ordinal) ? BookingExchange : Exchange;

    /// <summary>Every exchange and consumer queue (the relays call this before their first publish).</summary>
    public static async Task DeclareExchangesAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await DeclareIndexerQueueAsync(channel, cancellationToken);
        await DeclareSaleTermsQueueAsync(channel, cancellationToken);
        await DeclareCatalogSalesQueueAsync(channel, cancellationToken);
    }

    // Each queue is bound to exactly the message types its consumer handles: another consumer's messages never reach it.
    public static async Task DeclareIndexerQueueAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await DeclareQueueAsync(channel, Exchange, DeadLetterExchange, IndexerQueue, IndexerDeadLetterQueue,
            [EventDocument.MessageType, CatalogReindexRequested.MessageType], cancellationToken);
        // A broker set up by an older topology binds the Indexer to every key: that binding goes (a no-op if absent).
        await channel.QueueUnbindAsync(IndexerQueue, Exchange, "#", cancellationToken: cancellationToken);
    }

    public static Task DeclareSaleTermsQueueAsync(IChannel channel, CancellationToken cancellationToken) =>
        DeclareQueueAsync(channel, Exchange, SaleTermsDeadLetterExchange, SaleTermsQueue, SaleTermsDeadLetterQueue,
            [EventSaleChanged.MessageType], cancellationToken);

    public static Task DeclareCatalogSalesQueueAsync(IChannel channel, CancellationToken cancellationToken) =>
        DeclareQueueAsync(channel, BookingExchange, BookingDeadLetterExchange, CatalogSalesQueue, CatalogSalesDeadLetterQueue,
            [BookingConfirmed.MessageType, BookingRefunded.MessageType], cancellationToken);

    private static async Task DeclareQueueAsync(IChannel channel, string exchange, string deadLetterExchange, string queue, string deadLetterQueue,
        string[] routingKeys, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(deadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);

        await channel.QueueDeclareAsync(deadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(deadLetterQueue, deadLetterExchange, routingKey: "", cancellationToken: cancellationToken);

        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-dead-letter-exchange"] = deadLetterExchange },
            cancellationToken: cancellationToken);
        foreach (var routingKey in routingKeys)
        {
            await channel.QueueBindAsync(queue, exchange, routingKey, cancellationToken: cancellationToken);
        }
    }
}
