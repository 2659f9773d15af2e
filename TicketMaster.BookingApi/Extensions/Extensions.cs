using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Caching;
using TicketMaster.BookingApi.Invariants;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.WaitingRoom;
using TicketMaster.BookingApi.WriteQueue;

namespace TicketMaster.BookingApi.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults();
        builder.AddTicketMasterAuthentication();

        // MySQL is the final arbiter of who owns a seat (DESIGN §3); the first replica to start migrates the schema.
        builder.AddMySqlDataSource("mysql");
        builder.AddSchemaMigrations();

        // Redis: seat holds, seat pub/sub. RabbitMQ: booking facts through the outbox.
        builder.AddRedisClient("redis", configureOptions: options =>
            // Replies are read on the .NET thread pool rather than SE.Redis's own threads: one thread handoff
            // less per command, which showed up as a real share of a reserve's CPU on a small machine.
            options.SocketManager = StackExchange.Redis.SocketManager.ThreadPool);
        builder.Services.AddExceptionHandler<DependencyUnavailableHandler>();
        builder.AddRabbitMQClient("rabbitmq");
        builder.AddOutbox();

        builder.Services.Configure<BookingOptions>(builder.Configuration.GetSection("Booking"));
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<SingleFlightCache>();
        builder.Services.AddSingleton<SeatEvents>();
        builder.Services.AddSingleton<SeatCatalog>();
        builder.Services.AddSingleton<HoldStore>();
        builder.Services.AddSingleton<SeatMapCache>();
        builder.Services.AddSingleton<SeatStreamHub>();
        builder.Services.AddHostedService<HoldExpiryListener>();
        // The ledger's writes (two per confirm, group-committed) use the writer's pool: single statements that
        // keep no session state, so the session reset every pooled open costs (a round trip, and MariaDB's work)
        // buys nothing there. The rest of the service keeps the default pool and its reset.
        builder.Services.AddSingleton(sp => new PaymentLedger(sp.GetRequiredKeyedService<MySqlConnector.MySqlDataSource>(BookingWriter.DataSourceKey)));
        // Payments:Provider = Simulated (default: Stripe's test cards, no network) or Stripe (Payments:Stripe:*).
        var stripe = builder.Configuration.GetSection("Payments:Stripe").Get<StripeOptions>() ?? new StripeOptions();
        builder.Services.AddSingleton(stripe);
        if (string.Equals(builder.Configuration["Payments:Provider"], "Stripe", StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.AddSingleton<IPaymentGateway>(new StripePaymentGateway(stripe));
        }
        else
        {
            builder.Services.AddSingleton<IPaymentGateway, SimulatedPaymentGateway>();
        }
        builder.Services.AddHostedService<PaymentReconciler>();
        // The booking writer's batches guard each reservation with user variables: its own pool allows them.
        var writerConnectionString = BookingWriter.ConnectionString(builder.Configuration.GetConnectionString("mysql")!);
        builder.Services.AddKeyedSingleton(BookingWriter.DataSourceKey, (sp, _) =>
            new MySqlConnector.MySqlDataSourceBuilder(writerConnectionString).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build());
        builder.Services.AddSingleton(sp => new BookingWriter(
            sp.GetRequiredKeyedService<MySqlConnector.MySqlDataSource>(BookingWriter.DataSourceKey),
            sp.GetRequiredService<TicketMaster.ServiceDefaults.Messaging.Outbox>()));
        builder.Services.AddSingleton<BookingReader>();
        // Queued writes (DESIGN §3 item 6): every replica publishes confirms and runs a batching writer.
        builder.Services.AddSingleton<BookingWriteQueue>();
        builder.Services.AddHostedService<BookingWriteConsumer>();

        // The invariant check, on demand and as a gauge of active sales.
        builder.Services.AddSingleton<SaleInvariants>();
        builder.Services.AddSingleton<InvariantMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InvariantMonitor>());
        builder.Services.AddSingleton(TicketCodes.FromSigningKey(builder.Configuration["Auth:SigningKey"]!));

        // Waiting rooms of hot events (Booking:WaitingRoom:*).
        builder.Services.Configure<WaitingRoomOptions>(builder.Configuration.GetSection("Booking:WaitingRoom"));
        builder.Services.AddSingleton(QueuePasses.FromSigningKey(builder.Configuration["Auth:SigningKey"]!));
        builder.Services.AddSingleton<WaitingRoomStore>();
        builder.Services.AddHostedService<AdmissionLoop>();
    }
}
