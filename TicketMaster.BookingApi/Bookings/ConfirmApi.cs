using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.BookingApi.Seats;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Bookings;

public static class ConfirmApi
{
    /// <summary>The width of payment.method.</summary>
    public const int MaxPaymentMethodLength = 100;

    /// <summary>The width of the reservation id columns.</summary>
    public const int MaxReservationIdLength = 64;

    public static RouteGroupBuilder MapConfirmApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking").WithTags("Bookings").RequireAuthorization().RequireRateLimit(RateLimitKind.Writes);
        api.MapPost("/confirm", Confirm);
        return api;
    }

    /// <summary>Validates the request, runs <see cref="ConfirmBooking"/> and answers its outcome.</summary>
    public static async Task<Results<Created<BookingResponse>, Accepted<ConfirmationStatus>, ValidationProblem, ProblemHttpResult>> Confirm(
        ConfirmRequest request, ClaimsPrincipal user, ConfirmBooking confirm, CancellationToken cancellationToken)
    {
        var method = request.PaymentInfo?.Method;
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(method))
        {
            errors.Add("payment_info.method", "is required (e.g. pm_card_visa)");
        }
        else if (method.Length > MaxPaymentMethodLength)
        {
            errors.Add("payment_info.method", $"must be at most {MaxPaymentMethodLength} characters");
        }
        if (request.ReservationId is null && (request.EventId is not > 0 || request.SeatId is not > 0))
        {
            errors.Add("reservation_id", "reservation_id, or event_id and seat_id, are required");
        }
        else if (request.ReservationId is { Length: > MaxReservationIdLength })
        {
            errors.Add("reservation_id", $"must be at most {MaxReservationIdLength} characters");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var command = new ConfirmCommand(user.UserId(), request.ReservationId, request.EventId, request.SeatId, method!, user.Email());
        return await confirm.ConfirmAsync(command, cancellationToken) switch
        {
            ConfirmOutcome.Booked booked => TypedResults.Created($"/v1/booking/bookings/{booked.Booking.BookingId}", booked.Booking),
            ConfirmOutcome.Pending pending => TypedResults.Accepted(pending.Status.StatusUrl, pending.Status),
            ConfirmOutcome.NotFound notFound => Problems.NotFound("Reservation not found", notFound.Detail),
            ConfirmOutcome.Expired expired => TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Reservation expired",
                detail: $"The hold ended at {expired.EndedAt:O}; the seats may have been taken. Reserve again."),
            ConfirmOutcome.NotSelling notSelling => Problems.NotSelling(notSelling.EventId, EventStatuses.Cancelled, notSelling.Detail),
            ConfirmOutcome.PaymentInProgress => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Payment in progress",
                detail: "Another confirm of this reservation is paying with a different payment method; wait for its answer, or retry with the same method."),
            ConfirmOutcome.Declined declined => TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "Payment declined",
                detail: declined.Message,
                extensions: new Dictionary<string, object?> { ["decline_code"] = declined.Code, ["reservation_expires_at"] = declined.HoldExpiresAt }),
            ConfirmOutcome.NotRecorded => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Booking not recorded",
                detail: "This reservation could not be recorded; your payment was voided and the seats released."),
            ConfirmOutcome.SeatsLost => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Seats lost",
                detail: "Another fan bought a seat of this reservation after the hold lapsed; your payment was voided."),
            var other => throw new InvalidOperationException($"Unanswered confirm outcome {other}"),
        };
    }
}
