using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.EventsApi.Sales;

public static class SaleListingApi
{
    public static IEndpointRouteBuilder MapSaleListingApi(this IEndpointRouteBuilder app)
    {
        // BookingApi reads an event's listing from the catalog's own API (as the booking-service role, in a token it
        // signs itself), not from the catalog's tables.
        app.MapGet("/v1/admin/catalog/events/{eventId:long}/sale", GetListing).WithTags("Sales").RequireAuthorization(Roles.BookingService);
        return app;
    }

    /// <summary>The listing; <c>?seats=false</c> leaves the seats out (the terms alone, for a check-in's second look).</summary>
    public static async Task<Results<Ok<EventSaleListing>, ProblemHttpResult>> GetListing(
        long eventId, bool? seats, MySqlDataSource dataSource, CancellationToken cancellationToken) =>
        await SaleListing.ReadAsync(dataSource, eventId, seats ?? true, cancellationToken) is { } listing
            ? TypedResults.Ok(listing)
            : Events.EventsApi.EventNotFound(eventId);
}
