using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.Bench;

// The whole topology, started as the tests start it (fresh data folder, ports allocated by Aspire).
public sealed class BenchHost : IAsyncDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("ticketmaster-bench-").FullName;

    /// <summary>Given to the AppHost as its JWT key, so the benchmark can mint thousands of fans' tokens itself.</summary>
    public static readonly string SigningKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public DistributedApplication App { get; private set; } = null!;

    /// <param name="settings">Extra AppHost settings, e.g. "--TicketMaster:Booking:WritePath=Direct".</param>
    public static async Task<BenchHost> StartAsync(params string[] settings)
    {
        var host = new BenchHost();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TicketMaster_AppHost>(
            [
                $"--TicketMaster:DataDir={host._dataDir}", "--TicketMaster:FastUnsafeStorage=true", $"--Parameters:jwt-signing-key={SigningKey}",
                // No dashboard, so nothing would receive the telemetry (see the AppHost's WithTelemetrySettings).
                "--TicketMaster:Telemetry:Export=false",
                "--TicketMaster:BenchEndpoints=true",
                // The load comes from one address and few fans: limits that never bind, still paid for on every request.
                "--TicketMaster:RateLimits:WritesPerUser=1000000000", "--TicketMaster:RateLimits:CatalogWritesPerUser=1000000000",
                "--TicketMaster:RateLimits:PollingPerAddress=1000000000", "--TicketMaster:RateLimits:ReadsPerAddress=1000000000",
                "--TicketMaster:RateLimits:StreamsPerAddress=1000000", "--TicketMaster:RateLimits:StreamsPerProcess=1000000",
                .. settings,
                // Any AppHost setting given to the benchmark itself, e.g. --TicketMaster:Telemetry:TracesSampler=always_off.
                .. Environment.GetCommandLineArgs().Where(a => a.StartsWith("--TicketMaster:", StringComparison.Ordinal)),
            ],
            (options, _) => options.DisableDashboard = true);
        host.App = await builder.BuildAsync();
        await host.App.StartAsync();
        foreach (var name in new[] { "mysql", "redis", "rabbitmq", "eventsapi", "bookingapi", "indexer" })
        {
            await host.App.ResourceNotifications.WaitForResourceHealthyAsync(name);
        }
        return host;
    }

    public HttpClient Client(string service, string? token = null)
    {
        var http = new HttpClient { BaseAddress = App.GetEndpoint(service, "http"), Timeout = TimeSpan.FromMinutes(10) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    public async Task<string> TokenAsync(string userId, params string[] roles)
    {
        using var http = Client("eventsapi");
        var response = await http.PostAsJsonAsync("/v1/dev/tokens", new { user_id = userId, roles }, TicketMasterJson.Options);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
