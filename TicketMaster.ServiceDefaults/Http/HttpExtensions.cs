using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketMaster.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

public static class HttpExtensions
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>snake_case JSON and RFC 9457 problem details for every error, including 401/403/404 without a body.</summary>
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options => TicketMasterJson.Configure(options.SerializerOptions));
        builder.Services.AddProblemDetails();
        // A data store or the broker being briefly away is a 503 to retry, never a 500.
        builder.Services.AddExceptionHandler<TicketMaster.ServiceDefaults.Http.DependencyUnavailableHandler>();
        // No request of ours needs more than this (the largest is a 200,000-seat venue, a few KB of rows); Kestrel's
        // default is 30 MB, read before any validation could say no.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options =>
            options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        // Malformed JSON or an unparsable route value is a 400 problem, in every environment (not an exception).
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
        builder.AddTrustedProxies();
        return builder;
    }

    /// <summary>
    /// Behind the web host (or an ingress) every fan would share the proxy's address, and the per-address limits would
    /// count the proxy. X-Forwarded-For/-Proto are believed only from loopback and ForwardedHeaders:KnownNetworks
    /// (comma-separated CIDRs, the cluster's pod network): anyone else could claim any address.
    /// </summary>
    public static IHostApplicationBuilder AddTrustedProxies(this IHostApplicationBuilder builder)
    {
        var networks = builder.Configuration["ForwardedHeaders:KnownNetworks"] ?? "";
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var network in networks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return builder;
    }

    /// <summary>Answers 503 (retry) instead of 500 for the exceptions by which <paramref name="name"/>'s client says its server is away.</summary>
    public static IHostApplicationBuilder AddUnavailableDependency(this IHostApplicationBuilder builder, string name, Func<Exception, bool> matches)
    {
        builder.Services.AddSingleton(new TicketMaster.ServiceDefaults.Http.UnavailableDependency(name, matches));
        return builder;
    }

    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Explicit, after the status-code pages, so a 401/403 challenge also gets a problem-details body.
        app.UseAuthentication();
        app.UseAuthorization();
        // After authentication: signed-in requests count per user (RateLimits).
        app.UseRateLimiter();
        return app;
    }
}
