using System.Diagnostics;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Deploy;

// The services started as a deployment starts them (Production, settings from the environment), with settings that
// must never reach a real sale: each exits non-zero at once with one line naming the setting, before it listens or
// connects to anything (no server runs for these tests).
public sealed class StartupRefusalTests
{
    private static readonly Dictionary<string, string> Keys = new()
    {
        ["Auth__SigningKey"] = new string('j', 48),
        ["Booking__TicketCodes__Keys__k1"] = new string('t', 48),
        ["Booking__TicketCodes__CurrentKeyId"] = "k1",
        ["Booking__QueuePasses__Keys__k1"] = new string('q', 48),
        ["Booking__QueuePasses__CurrentKeyId"] = "k1",
    };

    [Fact]
    public async Task BookingApi_in_Production_without_a_payment_provider_refuses_to_start()
    {
        var (exitCode, output) = await RunAsync("TicketMaster.BookingApi", new(Keys));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Payments:Provider must be set in the 'Production' environment", output);
    }

    [Fact]
    public async Task BookingApi_in_Production_with_the_simulated_gateway_refuses_to_start()
    {
        var (exitCode, output) = await RunAsync("TicketMaster.BookingApi", new(Keys) { ["Payments__Provider"] = "Simulated" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Payments:Provider=Simulated is refused in the 'Production' environment", output);
    }

    [Fact]
    public async Task BookingApi_in_Production_with_Stripe_but_no_webhook_secret_refuses_to_start()
    {
        var (exitCode, output) = await RunAsync("TicketMaster.BookingApi",
            new(Keys) { ["Payments__Provider"] = "Stripe", ["Payments__Stripe__ApiKey"] = "sk_test_x" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Payments:Stripe:WebhookSecret", output);
    }

    [Fact]
    public async Task BookingApi_without_its_own_ticket_code_key_refuses_to_start()
    {
        var settings = new Dictionary<string, string>(Keys) { ["Payments__Provider"] = "Stripe", ["Payments__Stripe__ApiKey"] = "sk_test_x",
            ["Payments__Stripe__WebhookSecret"] = "whsec_x" };
        settings.Remove("Booking__TicketCodes__Keys__k1");

        var (exitCode, output) = await RunAsync("TicketMaster.BookingApi", settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Booking:TicketCodes:CurrentKeyId must name one of Booking:TicketCodes:Keys", output);
    }

    [Theory]
    [InlineData("TicketMaster.EventsApi")]
    [InlineData("TicketMaster.BookingApi")]
    public async Task Dev_tokens_outside_Development_stop_the_service_at_start(string project)
    {
        var (exitCode, output) = await RunAsync(project, new(Keys) { ["Auth__DevTokens"] = "true" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Auth:DevTokens=true is refused in the 'Production' environment", output);
    }

    [Fact]
    public async Task The_site_in_Production_with_the_dev_sign_in_refuses_to_start()
    {
        var (exitCode, output) = await RunAsync("TicketMaster.Web", new() { ["Auth__DevTokens"] = "true" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Auth:DevTokens=true is refused in the 'Production' environment", output);
    }

    [Fact]
    public async Task The_site_in_Production_without_an_identity_provider_refuses_to_start()
    {
        var (exitCode, output) = await RunAsync("TicketMaster.Web", new());

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Auth:Oidc:Authority, ClientId and ClientSecret must be set outside Development", output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string project, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(RepositoryPaths.Root, project, "bin", RepositoryPaths.Configuration, "net10.0", $"{project}.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, project),
        };
        // Nothing inherited from the test run may choose for the service.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
            || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal) || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{project} kept running with settings it must refuse: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
