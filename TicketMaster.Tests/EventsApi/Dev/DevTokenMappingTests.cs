using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using TicketMaster.EventsApi.Dev;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.Tests.EventsApi.Dev;

// The dev-token endpoints exist only when Auth:DevTokens is true AND the environment is Development; anywhere else
// they are not mapped at all (404). (The flag set outside Development stops the service: StartupRefusalTests.)
public sealed class DevTokenMappingTests
{
    [Theory]
    [InlineData("Development", true, true)]
    [InlineData("Development", false, false)]
    [InlineData("Production", false, false)]
    [InlineData("Staging", false, false)]
    public async Task Dev_endpoints_are_mapped_only_with_the_flag_in_Development(string environment, bool flag, bool mapped)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:DevTokens"] = flag ? "true" : "false" });
        builder.Services.AddRouting();
        // What the endpoints take from the container (registered by the service's own wiring).
        builder.Services.AddSingleton(new TokenSettings(new SymmetricSecurityKey(new byte[32])));
        builder.Services.AddSingleton(new MySqlConnector.MySqlDataSource("Server=unused"));
        builder.Services.AddSingleton(new Messaging.Outbox(new Messaging.OutboxSignal(), new Messaging.OutboxTable("outbox")));
        builder.Services.AddSingleton<SeedGenerator>();
        await using var app = builder.Build();

        app.MapDevApi();

        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.Equal(mapped, routes.Any(r => r?.StartsWith("/v1/dev", StringComparison.Ordinal) == true));
    }
}
