using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.BookingApi.Seats;

namespace TicketMaster.BookingApi.Invariants;

public static class InvariantsApi
{
    /// <summary>GET /v1/booking/admin/events/{event_id}/invariants (the event's owner, or an admin): the check, computed now.</summary>
    public static IEndpointRouteBuilder MapInvariantsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/booking/admin/events/{eventId:long}/invariants", CheckAsync).WithTags("Operations")
            .RequireAuthorization(Roles.Organizer);
        return app;
    }

    // Another organizer's sale internals are not theirs to read: the same 404 as an unknown event.
    public static async Task<Results<Ok<InvariantReport>, ProblemHttpResult>> CheckAsync(long eventId, ClaimsPrincipal user, SeatCatalog catalog,
        SaleInvariants invariants, CancellationToken cancellationToken) =>
        await catalog.GetSaleAsync(eventId, [], cancellationToken) is { } sale && user.CanManage(sale.OwnerId)
        && await invariants.CheckAsync(eventId, cancellationToken) is { } report
            ? TypedResults.Ok(report)
            : Problems.EventNotFound(eventId);
}
