using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Bookings;

public static class ConfirmApi
{
    public static RouteGroupBuilder MapConfirmApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking").WithTags("Bookings").RequireAuthorization();
        api.MapPost("/confirm", Confirm);
        return api;
    }

    // DESIGN §3 step 2, in order: the reservation must be the caller's and alive; authorize (idempotency key
    // from the reservation); one transaction flips the seats; capture; or void when the seat was lost.
    public static async Task<Results<Created<BookingResponse>, ValidationProblem, ProblemHttpResult>> Confirm(
        ConfirmRequest request, ClaimsPrincipal user, HoldStore holds, BookingReader bookings, BookingWriter writer,
        PaymentLedger ledger, IPaymentGateway gateway, IConnectionMultiplexer redis, MySqlDataSource dataSource,
        IOptions<BookingOptions> options, ILogger<BookingWriter> logger, CancellationToken cancellationToken)
    {
        var userId = user.UserId();
        var method = request.PaymentInfo?.Method;
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(method))
        {
            errors.Add("payment_info.method", "is required (e.g. pm_card_visa)");
        }
        var reservationId = request.ReservationId;
        if (reservationId is null && (request.EventId is not > 0 || request.SeatId is not > 0))
        {
            errors.Add("reservation_id", "reservation_id, or event_id and seat_id, are required");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // The seed's form names a seat: the reservation is whichever of the caller's holds covers it.
        reservationId ??= (string?)await redis.GetDatabase().StringGetAsync(HoldKeys.Hold(request.EventId!.Value, request.SeatId!.Value));
        if (reservationId is null)
        {
            return Problems.NotFound("Reservation not found", "No reservation holds this seat; reserve it first.");
        }

        // A retried confirm (lost response, double click) returns the booking it already made.
        if (await bookings.ByReservationAsync(reservationId, userId, cancellationToken) is { } existing)
        {
            return TypedResults.Created($"/v1/booking/bookings/{existing.BookingId}", existing);
        }

        var found = await holds.GetAsync(reservationId, cancellationToken);
        if (found is not { Record: { } record } || record.UserId != userId)
        {
            return Problems.NotFound("Reservation not found", "No reservation of yours has this id.");
        }
        if (found.Value.Active is not { } reservation)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Reservation expired",
                detail: $"The hold ended at {record.ExpiresAt:O}; the seats may have been taken. Reserve again.");
        }

        var total = await TotalAsync(dataSource, reservation, cancellationToken);
        var idempotencyKey = $"{reservation.ReservationId}:{method}";
        await ledger.BeginAsync(reservation.ReservationId, userId, reservation.EventId, total, gateway.Name, idempotencyKey, method!, cancellationToken);

        using var paymentTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        paymentTimeout.CancelAfter(options.Value.PaymentTimeout);
        var authorization = await gateway.AuthorizeAsync(
            new PaymentRequest(idempotencyKey, total, "usd", method!, $"TicketMaster {reservation.ReservationId}"), paymentTimeout.Token);
        if (authorization is AuthorizationResult.Declined declined)
        {
            await ledger.MarkAsync(reservation.ReservationId, PaymentStatuses.Failed, null, cancellationToken);
            // The hold stays until it expires: the fan may try another card.
            return TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "Payment declined", detail: declined.Message,
                extensions: new Dictionary<string, object?> { ["decline_code"] = declined.Code, ["reservation_expires_at"] = reservation.ExpiresAt });
        }
        var paymentRef = ((AuthorizationResult.Authorized)authorization).ProviderRef;
        await ledger.MarkAsync(reservation.ReservationId, PaymentStatuses.Authorized, paymentRef, cancellationToken);

        var (outcome, bookingId) = await writer.WriteAsync(reservation, total, paymentRef, cancellationToken);
        // A concurrent retry of this very confirm may have won: then the seats are ours and so is the
        // (shared, idempotent) authorization — answer with that booking and void nothing.
        if (outcome != WriteOutcome.Booked && await bookings.ByReservationAsync(reservationId, userId, cancellationToken) is { } raced)
        {
            return TypedResults.Created($"/v1/booking/bookings/{raced.BookingId}", raced);
        }
        if (outcome != WriteOutcome.Booked)
        {
            // Someone else's booking holds a seat now (our hold lapsed meanwhile): the fan is not charged.
            await gateway.VoidAsync(paymentRef, idempotencyKey + ":void", CancellationToken.None);
            await ledger.MarkAsync(reservation.ReservationId, PaymentStatuses.Voided, null, CancellationToken.None);
            await holds.ReleaseAsync(reservation, Seats.SeatEvents.Released);
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Seats lost",
                detail: "Another fan bought a seat of this reservation after the hold lapsed; your payment was voided.");
        }

        try
        {
            await gateway.CaptureAsync(paymentRef, idempotencyKey + ":capture", CancellationToken.None);
            await ledger.MarkAsync(reservation.ReservationId, PaymentStatuses.Captured, null, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The booking stands; the payment row stays "authorized" with its booking, for the reconciler to capture.
            logger.LogError(ex, "Capture of {Reservation} failed; left for reconciliation", reservation.ReservationId);
        }
        await holds.MarkSoldAsync(reservation);

        var booking = await bookings.ByIdAsync(bookingId, userId, CancellationToken.None);
        return TypedResults.Created($"/v1/booking/bookings/{bookingId}", booking!);
    }

    private static async Task<long> TotalAsync(MySqlDataSource dataSource, Reservation reservation, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand(
            $"SELECT COALESCE(SUM(price_cents), 0) FROM event_seat WHERE event_id = @event AND seat_id IN ({string.Join(',', reservation.SeatIds)})",
            connection);
        command.Parameters.AddWithValue("@event", reservation.EventId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }
}
