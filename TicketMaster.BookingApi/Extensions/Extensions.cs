using TicketMaster.Messaging;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Caching;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.BookingApi.Invariants;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.Signing;
using TicketMaster.BookingApi.WaitingRoom;
using TicketMaster.BookingApi.WriteQueue;
using TicketMaster.Data;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Extensions;

public static class Extensions
{
    /// <summary>The sale's database (ConnectionStrings__booking).</summary>
    public const string ConnectionName = "booking";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults();
        builder.AddTicketMasterAuthentication();
        // Refused settings stop the service here, before anything connects.
        builder.AddPayments();
        // Ticket QR codes and waiting-room passes are signed with keys of their own, each rotatable by key id.
        var ticketCodeKeys = SigningKeyRing.FromConfiguration(builder.Configuration, TicketCodes.Section);
        var queuePassKeys = SigningKeyRing.FromConfiguration(builder.Configuration, QueuePasses.Section);

        // MySQL is the final arbiter of who owns a seat (DESIGN §3): the sale's own database, which the first replica to
        // start migrates.
        builder.AddMySqlDataSource(ConnectionName);
        builder.AddUnavailableDependency("mysql", MySqlFailures.IsUnavailable);
        builder.AddSchemaMigrations(typeof(Extensions).Assembly);
        // Webhook event ids are kept past any redelivery of the provider's, then pruned.
        builder.AddRowPruning(new PruneRule("processed_message", "processed_at", retention => retention.ProcessedMessages));

        // Redis: seat holds, seat pub/sub. RabbitMQ: booking facts through the outbox.
        builder.AddRedisClient("redis", configureOptions: options =>
            // Replies are read on the .NET thread pool rather than SE.Redis's own threads: one thread handoff
            // less per command, which showed up as a real share of a reserve's CPU on a small machine.
            options.SocketManager = StackExchange.Redis.SocketManager.ThreadPool);
        builder.Services.AddHealthChecks().AddCheck<RedisMemoryHealthCheck>(RedisMemoryHealthCheck.Name);
        builder.AddRateLimits();
        builder.AddRabbitMQClient("rabbitmq");
        builder.AddUnavailableDependency("rabbitmq", BrokerFailures.IsUnavailable);
        builder.AddOutbox("booking_outbox");

        builder.Services.AddOptions<BookingOptions>().BindConfiguration("Booking")
            .Validate(o => o.IsValid(), "Booking:* must be positive (HoldTtl at most an hour, MaxSeatsPerReservation 1–100)").ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<SingleFlightCache>();

        builder.AddCatalog();
        builder.AddSeats();
        builder.AddReservations();
        builder.AddBookings(ticketCodeKeys);
        builder.AddInvariants();
        builder.AddWaitingRoom(queuePassKeys);
        builder.AddMail();
    }

    /// <summary>The fans' mail: owed in the transactions of what it tells, sent over SMTP (ConnectionStrings__mail).</summary>
    private static void AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TicketMaster.BookingApi.Mail.MailOptions>().BindConfiguration("Mail")
            .Validate(o => o.IsValid(), "Mail:* must be positive and Mail:From an address").ValidateOnStart();
        builder.Services.AddSingleton<TicketMaster.BookingApi.Mail.MailComposer>();
        builder.Services.AddHostedService<TicketMaster.BookingApi.Mail.MailSender>();
        builder.AddRowPruning(new PruneRule("mail", "done_at", retention => retention.SentOutbox));
    }

    /// <summary>What the sale keeps of the catalog: listings from EventsApi's API, terms from its messages (DESIGN §2).</summary>
    private static void AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<CatalogClient>(http => http.BaseAddress = new Uri("http://eventsapi"));
        builder.AddUnavailableDependency("eventsapi", ex => ex is CatalogUnavailableException);
        builder.Services.AddSingleton<SaleEventStore>();
        builder.Services.AddHostedService<SaleTermsConsumer>();
    }

    /// <summary>Seat maps, their cache and the live seat stream (DESIGN §5).</summary>
    private static void AddSeats(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SeatEvents>();
        builder.Services.AddSingleton<SeatCatalog>();
        builder.Services.AddSingleton<SeatMapCache>();
        builder.Services.AddSingleton<SeatStreamHub>();
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(EventStreamConnections.AddTo);
        builder.Services.AddHostedService<HoldExpiryListener>();
        builder.Services.AddSingleton<DueHoldSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DueHoldSweeper>());
    }

    /// <summary>Holds in Redis (DESIGN §3 step 1), and the line of reserves waiting for seats to come back.</summary>
    private static void AddReservations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HoldStore>();
        builder.Services.AddSingleton<ReturnsWaitlist>();
    }

    /// <summary>Confirm, its payment ledger and reconciler, the booking writer and its queue, bookings and tickets (DESIGN §3).</summary>
    private static void AddBookings(this IHostApplicationBuilder builder, SigningKeyRing ticketCodeKeys)
    {
        // The booking writer's batches guard each reservation with user variables: its own pool allows them.
        var writerConnectionString = BookingWriter.ConnectionString(builder.Configuration.GetConnectionString(ConnectionName)!);
        builder.Services.AddKeyedSingleton(BookingWriter.DataSourceKey, (sp, _) =>
            new MySqlConnector.MySqlDataSourceBuilder(writerConnectionString).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build());
        builder.Services.AddSingleton(sp => new BookingWriter(
            sp.GetRequiredKeyedService<MySqlConnector.MySqlDataSource>(BookingWriter.DataSourceKey),
            sp.GetRequiredService<TicketMaster.Messaging.Outbox>()));
        // The ledger's writes (two per confirm, group-committed) use the writer's pool: single statements that
        // keep no session state, so the session reset every pooled open costs (a round trip, and MariaDB's work)
        // buys nothing there. The rest of the service keeps the default pool and its reset.
        builder.Services.AddSingleton(sp => new PaymentLedger(sp.GetRequiredKeyedService<MySqlConnector.MySqlDataSource>(BookingWriter.DataSourceKey)));
        builder.Services.AddHostedService<PaymentReconciler>();
        builder.Services.AddSingleton<BookingReader>();
        builder.Services.AddSingleton<ConfirmBooking>();
        // Refunds: the fan's cancel, and the settler of refunds left pending.
        builder.Services.AddSingleton<CancelBooking>();
        builder.Services.AddSingleton<RefundSettler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RefundSettler>());
        builder.Services.AddHostedService<EventCancellationRefunds>();
        builder.Services.AddSingleton<TicketMaster.BookingApi.Sales.SalesReport>();
        builder.Services.AddSingleton<TicketMaster.BookingApi.Tickets.TransferTicket>();
        builder.Services.AddSingleton(new TicketCodes(ticketCodeKeys));
        // Queued writes (DESIGN §3 item 6): every replica publishes confirms and runs a batching writer.
        builder.Services.AddSingleton<BookingWriteQueue>();
        builder.Services.AddHostedService<BookingWriteConsumer>();
    }

    /// <summary>The invariant check, on demand and as a gauge of active sales.</summary>
    private static void AddInvariants(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SaleInvariants>();
        builder.Services.AddSingleton<InvariantMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InvariantMonitor>());
    }

    /// <summary>Waiting rooms of hot events (Booking:WaitingRoom:*, DESIGN §5).</summary>
    private static void AddWaitingRoom(this IHostApplicationBuilder builder, SigningKeyRing queuePassKeys)
    {
        builder.Services.AddOptions<WaitingRoomOptions>().BindConfiguration("Booking:WaitingRoom")
            .Validate(o => o.IsValid(), "Booking:WaitingRoom:* must be positive").ValidateOnStart();
        builder.Services.AddSingleton(new QueuePasses(queuePassKeys));
        builder.Services.AddSingleton<WaitingRoomStore>();
        builder.Services.AddSingleton<QueueStreamHub>();
        builder.Services.AddSingleton<BookingPathLatency>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BookingPathLatency>());
        builder.Services.AddHostedService<AdmissionLoop>();
    }
}
