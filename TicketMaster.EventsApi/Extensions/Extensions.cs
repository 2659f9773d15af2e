namespace TicketMaster.EventsApi.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // MySQL is the source of truth for the catalog; the first replica to start brings the schema up to date.
        builder.AddMySqlDataSource("mysql");
        builder.AddSchemaMigrations();

        // Redis: output cache of event details (DESIGN §5). RabbitMQ: the outbox relay publishes catalog changes.
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
    }
}
