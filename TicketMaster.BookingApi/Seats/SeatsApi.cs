using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Seats;

public static class SeatsApi
{
    public static IEndpointRouteBuilder MapSeatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/booking/events/{eventId:long}/seats", GetSeats).WithTags("Seats").RequireRateLimit(RateLimitKind.Reads);
        return app;
    }

    public static async Task<Results<CacheableJson, ProblemHttpResult>> GetSeats(long eventId, SeatMapCache seatMaps, CancellationToken cancellationToken)
    {
        var snapshot = await seatMaps.GetAsync(eventId, cancellationToken);
        return snapshot is null
            ? Problems.EventNotFound(eventId)
            : new CacheableJson(snapshot.Map, "public, max-age=1");
    }
}
