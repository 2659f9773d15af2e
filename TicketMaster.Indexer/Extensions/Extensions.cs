using TicketMaster.Indexer.Catalog;

namespace TicketMaster.Indexer.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // MySQL is read to rebuild the index (reindex); RabbitMQ brings catalog changes from the outbox relay.
        // Every service that reads MySQL brings the schema up to date first (idempotent, under a lock), so the
        // Indexer's first reindex never races the APIs' migrations.
        builder.AddMySqlDataSource("mysql");
        builder.AddSchemaMigrations();
        builder.AddRabbitMQClient("rabbitmq");
        builder.AddEventIndexWriter();

        builder.Services.AddSingleton<IndexerStats>();
        builder.Services.AddSingleton<CatalogChangeHandler>();
        builder.Services.AddSingleton<CatalogChangeConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogChangeConsumer>());
        builder.Services.AddHealthChecks().AddCheck<CatalogConsumerHealthCheck>("catalog-consumer");
    }
}
