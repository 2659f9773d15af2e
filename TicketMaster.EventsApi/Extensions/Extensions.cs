using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using StackExchange.Redis;
using TicketMaster.Data;
using TicketMaster.EventsApi.Caching;
using TicketMaster.EventsApi.Events;
using TicketMaster.EventsApi.Venues;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Extensions;

public static class Extensions
{
    /// <summary>The catalog's database (ConnectionStrings__catalog).</summary>
    public const string ConnectionName = "catalog";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults();
        builder.AddTicketMasterAuthentication();

        // MySQL is the source of truth for the catalog: its own database, which the first replica to start brings up to date.
        builder.AddMySqlDataSource(ConnectionName);
        builder.AddUnavailableDependency("mysql", MySqlFailures.IsUnavailable);
        builder.AddSchemaMigrations(typeof(Extensions).Assembly);

        // Catalog writes reach the search index through the outbox → RabbitMQ → Indexer (DESIGN §4); sold seats come
        // back from the sale the same way.
        builder.AddRabbitMQClient("rabbitmq");
        builder.AddUnavailableDependency("rabbitmq", BrokerFailures.IsUnavailable);
        builder.AddOutbox("outbox");
        builder.AddEventSearch();

        // Event details are served from a Redis output cache shared by all replicas, evicted by tag (DESIGN §5).
        builder.AddRedisClient("redis");
        builder.AddRateLimits();
        builder.Services.AddStackExchangeRedisOutputCache(_ => { });
        // The output cache sweeps its tag indexes in Redis on a timer of its own: on a connection of its own, which
        // is not traced, that sweep stays off the dashboard (the cache's work for a request shows in the request's span).
        var outputCacheRedis = new Lazy<Task<IConnectionMultiplexer>>(async () =>
            await ConnectionMultiplexer.ConnectAsync(builder.Configuration.GetConnectionString("redis")!));
        builder.Services.AddOptions<RedisOutputCacheOptions>()
            .Configure(options => options.ConnectionMultiplexerFactory = () => outputCacheRedis.Value);
        builder.Services.DecorateOutputCacheStoreWithLocalCopies();
        builder.Services.AddOutputCache(options =>
            options.AddPolicy(EventsApi.Events.EventsApi.DetailsCachePolicy, policy => policy.Expire(TimeSpan.FromSeconds(30))));

        builder.Services.AddSingleton<VenueStore>();
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddSingleton<TicketMaster.EventsApi.Staff.StaffStore>();
        builder.Services.AddSingleton<TicketMaster.EventsApi.Dev.SeedGenerator>();
        // Each event's availability, from the sale's booking.confirmed messages.
        builder.Services.AddHostedService<TicketMaster.EventsApi.Sales.SoldSeatsConsumer>();
    }
}
