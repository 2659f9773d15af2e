using TicketMaster.Indexer.Catalog;

namespace TicketMaster.Indexer.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // MySQL is read to rebuild the index (reindex); RabbitMQ brings catalog changes from the outbox relay.
        builder.AddMySqlDataSource("mysql");
        builder.AddRabbitMQClient("rabbitmq");
        builder.AddEventIndexWriter();

        builder.Services.AddSingleton<IndexerStats>();
        builder.Services.AddSingleton<CatalogChangeHandler>();
        builder.Services.AddSingleton<CatalogConsumerState>();
        builder.Services.AddHostedService<CatalogChangeConsumer>();
        builder.Services.AddHealthChecks().AddCheck<CatalogConsumerHealthCheck>("catalog-consumer");
    }
}
