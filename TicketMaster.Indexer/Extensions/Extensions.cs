using TicketMaster.Indexer.Catalog;

namespace TicketMaster.Indexer.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // RabbitMQ brings the catalog's changes; a rebuild reads the whole catalog from EventsApi's API (service
        // discovery: services__eventsapi__http__0), with a token it signs itself.
        builder.AddRabbitMQClient("rabbitmq");
        builder.AddTicketMasterAuthentication();
        builder.Services.AddHttpClient<CatalogClient>(http => http.BaseAddress = new Uri("http://eventsapi"));
        builder.AddEventIndexWriter();

        builder.Services.AddSingleton<IndexerStats>();
        builder.Services.AddSingleton<CatalogChangeHandler>();
        builder.Services.AddSingleton<CatalogChangeConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogChangeConsumer>());
        builder.Services.AddHealthChecks().AddCheck<CatalogConsumerHealthCheck>("catalog-consumer");
    }
}
