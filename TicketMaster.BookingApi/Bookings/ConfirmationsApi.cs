using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.BookingApi.Payments;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Bookings;

public static class ConfirmationStates
{
    public const string Confirmed = "confirmed";
    public const string Pending = "pending";
    public const string Failed = "failed";
}

/// <summary>Where a confirm that answered 202 stands: pending until the write lands, then confirmed (with the booking) or failed.</summary>
public sealed record ConfirmationStatus(string ReservationId, string Status, string StatusUrl, BookingResponse? Booking);

public static class ConfirmationsApi
{
    public static RouteGroupBuilder MapConfirmationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking/confirmations").WithTags("Bookings").RequireAuthorization().RequireRateLimit(RateLimitKind.Polling);
        api.MapGet("/{reservationId}", GetAsync);
        return api;
    }

    public static async Task<Results<Ok<ConfirmationStatus>, Accepted<ConfirmationStatus>, ProblemHttpResult>> GetAsync(
        string reservationId, ClaimsPrincipal user, HttpResponse response, BookingReader bookings, PaymentLedger ledger,
        CancellationToken cancellationToken)
    {
        var userId = user.UserId();
        var url = $"/v1/booking/confirmations/{reservationId}";
        if (await bookings.ByReservationAsync(reservationId, userId, cancellationToken) is { } booking)
        {
            return TypedResults.Ok(new ConfirmationStatus(reservationId, ConfirmationStates.Confirmed, url, booking));
        }
        switch (await ledger.StatusAsync(reservationId, userId, cancellationToken))
        {
            case PaymentStatuses.Authorizing or PaymentStatuses.Authorized:
                response.Headers.RetryAfter = "1";
                return TypedResults.Accepted(url, new ConfirmationStatus(reservationId, ConfirmationStates.Pending, url, null));
            case null:
                return Problems.NotFound("Confirmation not found", "No confirm of yours was made for this reservation.");
            default:
                // Declined, or voided because the write did not book: nothing was charged.
                return TypedResults.Ok(new ConfirmationStatus(reservationId, ConfirmationStates.Failed, url, null));
        }
    }
}
