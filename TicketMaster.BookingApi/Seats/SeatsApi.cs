using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Seats;

public sealed record SeatStatus(long SeatId, string Section, string Row, int Number, long PriceCents, string Status);

public sealed record SeatMap(long EventId, IReadOnlyList<SeatStatus> Seats);

public static class SeatsApi
{
    // Many fans poll this during a sale: one MySQL + Redis read per event per second and replica serves them all.
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    public static IEndpointRouteBuilder MapSeatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/booking/events/{eventId:long}/seats", GetSeats).WithTags("Seats");
        return app;
    }

    public static async Task<Results<CacheableJson, ProblemHttpResult>> GetSeats(
        long eventId, SeatCatalog catalog, HoldStore holds, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var map = await cache.GetOrCreateAsync(("seats", eventId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Freshness;
            var seats = await catalog.GetSeatsAsync(eventId, cancellationToken);
            if (seats is null)
            {
                return null;
            }
            var held = await holds.HeldAsync(eventId, seats.Where(s => s.Status == "available").Select(s => s.SeatId).ToList());
            return new SeatMap(eventId, seats.Select(s => new SeatStatus(s.SeatId, s.Section, s.Row, s.Number, s.PriceCents,
                s.Status == "sold" ? "sold" : held.GetValueOrDefault(s.SeatId) ? "held" : "available")).ToList());
        });
        return map is null
            ? Problems.NotFound("Event not found", $"There is no event {eventId}.")
            : new CacheableJson(map, "public, max-age=1");
    }
}
