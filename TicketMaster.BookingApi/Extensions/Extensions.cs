namespace TicketMaster.BookingApi.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // MySQL is the final arbiter of who owns a seat (DESIGN §3); the first replica to start migrates the schema.
        builder.AddMySqlDataSource("mysql");
        builder.AddSchemaMigrations();

        // Redis: seat holds, waiting room and seat pub/sub. RabbitMQ: queued booking writes for hot events.
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
    }
}
