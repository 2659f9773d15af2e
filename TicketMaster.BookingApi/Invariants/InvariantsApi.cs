using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.BookingApi.Invariants;

public static class InvariantsApi
{
    /// <summary>GET /v1/booking/admin/events/{event_id}/invariants (organizer): the check, computed now.</summary>
    public static IEndpointRouteBuilder MapInvariantsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/booking/admin/events/{eventId:long}/invariants", CheckAsync).WithTags("Operations")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Organizer));
        return app;
    }

    public static async Task<Results<Ok<InvariantReport>, ProblemHttpResult>> CheckAsync(long eventId, SaleInvariants invariants,
        CancellationToken cancellationToken) =>
        await invariants.CheckAsync(eventId, cancellationToken) is { } report
            ? TypedResults.Ok(report)
            : Problems.NotFound("Event not found", $"There is no event {eventId}.");
}
