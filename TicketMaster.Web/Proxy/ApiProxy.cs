using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;
using TicketMaster.Web.Account;
using TicketMaster.Web.Api;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace TicketMaster.Web.Proxy;

// The browser talks to this host only: /v1/… goes on to EventsApi or BookingApi with the session's bearer token
// (the browser never holds it) and without the browser's cookies. SSE answers stream through unbuffered (YARP
// flushes every read). The development and operator routes (/v1/dev, /v1/admin, /v1/booking/admin) are not
// offered to browsers.
public static class ApiProxy
{
    public static void AddApiProxy(this IHostApplicationBuilder builder)
    {
        var longLived = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) };
        RouteConfig Route(string id, string path, string cluster, int order = 0) =>
            new() { RouteId = id, ClusterId = cluster, Order = order, Match = new RouteMatch { Path = path } };
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [
                    Route("events", "/v1/events/{**rest}", "eventsapi"),
                    Route("venues", "/v1/venues/{**rest}", "eventsapi"),
                    Route("performers", "/v1/performers/{**rest}", "eventsapi"),
                    Route("booking", "/v1/booking/{**rest}", "bookingapi"),
                ],
                [
                    new ClusterConfig
                    {
                        ClusterId = "eventsapi", HttpRequest = longLived,
                        Destinations = new Dictionary<string, DestinationConfig> { ["eventsapi"] = new() { Address = ApiClientsExtensions.EventsApi } },
                    },
                    new ClusterConfig
                    {
                        ClusterId = "bookingapi", HttpRequest = longLived,
                        Destinations = new Dictionary<string, DestinationConfig> { ["bookingapi"] = new() { Address = ApiClientsExtensions.BookingApi } },
                    },
                ])
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(context =>
            {
                context.AddRequestHeaderRemove(HeaderNames.Cookie);
                context.AddRequestTransform(async transform =>
                {
                    transform.ProxyRequest.Headers.Authorization = await transform.HttpContext.AccessTokenAsync() is { } token
                        ? new AuthenticationHeaderValue("Bearer", token)
                        : null;
                });
            });
    }

    public static WebApplication MapApiProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy => proxy.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v1/booking/admin"))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            // The session cookie rides on every request to this host, including a hostile page's form or fetch: a
            // write through the proxy must come from this site's own scripts.
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !SameOrigin(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new { title = "Cross-site request refused", status = 403 },
                    options: null, contentType: "application/problem+json");
                return;
            }
            await next();
        }));
        return app;
    }

    private static bool SameOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is { Length: > 0 } origin
        && string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
}
