namespace TicketMaster.Tests.Infrastructure;

// One real AppHost for the whole test run (DESIGN §7): MariaDB, Redis and RabbitMQ as executables,
// the three services as projects, ports allocated by Aspire, data in a fresh temporary folder.
public sealed class AppHostFixture : IAsyncLifetime
{
    public const int EventsApiReplicas = 2;

    /// <summary>A per-run signing key set as the AppHost parameter, so tests can mint tokens themselves.</summary>
    public static readonly string JwtSigningKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public const string StripeWebhookSecret = "whsec_local_test_only";

    /// <summary>Webhook calls one address may make per 10 s window in the tests.</summary>
    public const int WebhookPerAddress = 40;

    /// <summary>The key the AppHost gets for ticket QR codes (key id k1), so tests can check what a code is signed with.</summary>
    public static readonly string TicketCodeKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>The payment provider of the whole run: BookingApi pays through Stripe's wire format, served here.</summary>
    public BookingApi.Payments.FakeStripeServer Stripe { get; } = new();

    /// <summary>What the services trace, as the dashboard would show it.</summary>
    public TraceCollector Traces { get; } = new();

    /// <summary>Short holds, so expiry can be tested (production: 7–10 minutes).</summary>
    public static readonly TimeSpan HoldTtl = TimeSpan.FromSeconds(6);

    /// <summary>How long a hold of a waiting-room sale lasts without its checkout's keep-alive (production: 45 s).</summary>
    public static readonly TimeSpan HoldPresence = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly string _dataDir = Directory.CreateTempSubdirectory("ticketmaster-tests-").FullName;
    private readonly CancellationTokenSource _stopping = new();

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Every resource the AppHost starts in run mode.</summary>
    public static readonly string[] ResourceNames =
        ["mysql", "redis", "rabbitmq-epmd", "rabbitmq", "mail", "eventsapi", "bookingapi", "indexer", "web"];

    /// <summary>Every message the local SMTP server received, one file each (the test run's Maildir).</summary>
    public string MailDir => Path.Combine(_dataDir, "mail", "Maildir", "new");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TicketMaster_AppHost>(
            [
                $"--TicketMaster:DataDir={_dataDir}",
                "--TicketMaster:FastUnsafeStorage=true",
                $"--TicketMaster:EventsApiReplicas={EventsApiReplicas}",
                $"--TicketMaster:Booking:HoldTtl={HoldTtl}",
                $"--TicketMaster:Booking:HoldPresence={HoldPresence}",
                "--TicketMaster:Booking:ReconcileAfter=00:00:03",
                "--TicketMaster:Booking:ReconcileInterval=00:00:01",
                "--TicketMaster:Booking:SeatStreamHeartbeat=00:00:01",
                "--TicketMaster:Retention:Interval=00:00:02",
                "--TicketMaster:Booking:WaitingRoom:PositionUpdateInterval=00:00:00.250",
                "--TicketMaster:DemoCatalog=false",
                "--TicketMaster:Payments:Provider=Stripe",
                "--TicketMaster:Payments:Stripe:ApiKey=sk_test_local_fake",
                $"--TicketMaster:Payments:Stripe:ApiBase={Stripe.BaseAddress}",
                $"--TicketMaster:Payments:Stripe:WebhookSecret={StripeWebhookSecret}",
                $"--Parameters:jwt-signing-key={JwtSigningKey}",
                $"--Parameters:ticket-code-key={TicketCodeKey}",
                // Every test fan shares one address: the per-address limits are raised (the webhook's stays low, for
                // the burst test); per-user limits stay as deployed.
                "--TicketMaster:RateLimits:PollingPerAddress=1000000",
                "--TicketMaster:RateLimits:ReadsPerAddress=1000000",
                "--TicketMaster:RateLimits:StreamsPerAddress=100000",
                $"--TicketMaster:RateLimits:WebhookPerAddress={WebhookPerAddress}",
                // No dashboard: the services send their spans here instead (see WithTelemetrySettings).
                $"--TicketMaster:Telemetry:Endpoint={Traces.BaseAddress}",
            ],
            (options, _) => options.DisableDashboard = true,
            cts.Token);

        // No resilience handler on the test clients: retries would blur race tests, and a circuit broken by the
        // crash test would fail the tests after it.

        App = await builder.BuildAsync(cts.Token);
        ServiceLogs.StartCapture(App, _stopping.Token);
        await App.StartAsync(cts.Token);

        foreach (var name in ResourceNames)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
        }
    }

    /// <summary>Kills a project's process outright (SIGKILL: nothing in flight gets to finish).</summary>
    public void Kill(string resource)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"no {resource} state");
        var pid = state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        Assert.True(pid is not null, $"{resource} has no pid: " + string.Join(", ", state.Snapshot.Properties.Select(p => p.Name)));
        System.Diagnostics.Process.GetProcessById(Convert.ToInt32(pid)).Kill(entireProcessTree: true);
    }

    /// <summary>Starts a killed project again once Aspire has seen it die (a start of a "running" resource does nothing).</summary>
    public async Task StartAgainAsync(string resource)
    {
        using var restart = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, restart.Token);
        await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, restart.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, restart.Token);
    }

    /// <summary>
    /// Stops a server of the shared topology, runs <paramref name="whileDown"/>, starts it again and waits until it is
    /// healthy (started again even when <paramref name="whileDown"/> fails, for the tests that follow).
    /// </summary>
    public async Task RestartAsync(string resource, Func<Task> whileDown)
    {
        using var restart = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, restart.Token);
        await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, restart.Token);
        try
        {
            await whileDown();
        }
        finally
        {
            await StartAndWaitAsync(resource, restart.Token);
        }
    }

    // A start that DCP reports as failed (seen once for a fast executable started again at once) is tried again: the
    // tests are about what the services do while a server is away, not about Aspire restarting it.
    private async Task StartAndWaitAsync(string resource, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
            try
            {
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
                return;
            }
            catch (DistributedApplicationException) when (attempt < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>An AMQP connection to the test RabbitMQ, for tests that publish or inspect queues themselves.</summary>
    public async Task<RabbitMQ.Client.IConnection> ConnectRabbitMqAsync() =>
        await new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(await GetConnectionStringAsync("rabbitmq")) }.CreateConnectionAsync();

    public async Task<string> GetConnectionStringAsync(string name) =>
        await App.GetConnectionStringAsync(name) ?? throw new InvalidOperationException($"No connection string for {name}");

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await _stopping.CancelAsync();
            await App.DisposeAsync();
        }
        _stopping.Dispose();
        Stripe.Dispose();
        Traces.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A server may still be flushing a file as it exits; the OS cleans temp folders eventually.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>, ICollectionFixture<Web.BrowserFixture>
{
    public const string Name = "AppHost";
}
