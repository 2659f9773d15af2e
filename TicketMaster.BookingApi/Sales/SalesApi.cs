using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TicketMaster.BookingApi.Seats;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Sales;

public static class SalesApi
{
    /// <summary>How often a sales stream looks for a change (with the report's 400 ms freshness: shown within a second).</summary>
    private static readonly TimeSpan StreamTick = TimeSpan.FromMilliseconds(250);

    public static IEndpointRouteBuilder MapSalesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking/events/{eventId:long}/sales").WithTags("Sales").RequireAuthorization(Roles.Organizer);
        api.MapGet("/", GetSales).RequireRateLimit(RateLimitKind.Polling);
        api.MapGet("/stream", StreamAsync).RequireRateLimit(RateLimitKind.Streams)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    // The event's owner (or an admin) only; anyone else gets the 404 an unknown event gets.
    public static async Task<Results<Ok<SalesSummary>, ProblemHttpResult>> GetSales(long eventId, ClaimsPrincipal user, SeatCatalog catalog,
        SalesReport sales, CancellationToken cancellationToken) =>
        await MayWatchAsync(eventId, user, catalog, cancellationToken) && await sales.GetAsync(eventId) is { } summary
            ? TypedResults.Ok(summary)
            : Problems.EventNotFound(eventId);

    /// <summary>The summary as server-sent events: one `sales` event at once and another whenever it changes; heartbeats between.</summary>
    public static async Task<IResult> StreamAsync(long eventId, HttpContext http, ClaimsPrincipal user, SeatCatalog catalog, SalesReport sales,
        IOptions<BookingOptions> options, CancellationToken cancellationToken)
    {
        if (!await MayWatchAsync(eventId, user, catalog, cancellationToken) || await sales.GetAsync(eventId) is null)
        {
            return Problems.EventNotFound(eventId);
        }
        http.Response.StartEventStream();
        string? sent = null;
        var quietSince = DateTimeOffset.UtcNow;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var json = JsonSerializer.Serialize(await sales.GetAsync(eventId), TicketMasterJson.Options);
                if (json != sent)
                {
                    await http.Response.WriteAsync($"event: sales\ndata: {json}\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                    (sent, quietSince) = (json, DateTimeOffset.UtcNow);
                }
                else if (DateTimeOffset.UtcNow - quietSince >= options.Value.SeatStreamHeartbeat)
                {
                    await http.Response.WriteAsync(": heartbeat\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                    quietSince = DateTimeOffset.UtcNow;
                }
                await Task.Delay(StreamTick, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the owner went away
        }
        return Results.Empty;
    }

    private static async Task<bool> MayWatchAsync(long eventId, ClaimsPrincipal user, SeatCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetSaleAsync(eventId, [], cancellationToken) is { } sale && user.CanManage(sale.OwnerId);
}
