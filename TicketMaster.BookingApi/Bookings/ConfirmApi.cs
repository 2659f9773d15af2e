using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.WriteQueue;
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
    // from the reservation); one transaction flips the seats (queued to the batching writer, or direct); capture;
    // or void when the seat was lost.
    public static async Task<Results<Created<BookingResponse>, Accepted<ConfirmationStatus>, ValidationProblem, ProblemHttpResult>> Confirm(
        ConfirmRequest request, ClaimsPrincipal user, HoldStore holds, BookingReader bookings, BookingWriter writer, BookingWriteQueue queue,
        PaymentLedger ledger, IPaymentGateway gateway, IConnectionMultiplexer redis, SeatCatalog catalog,
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

        var found = await holds.GetAsync(reservationId, cancellationToken);
        if (found is not { Record: { } record } || record.UserId != userId)
        {
            return Problems.NotFound("Reservation not found", "No reservation of yours has this id.");
        }
        if (found.Value.Active is not { } reservation)
        {
            // The hold is gone: a retried confirm (lost response, double click) finds the booking it already made;
            // otherwise the hold lapsed.
            if (await bookings.ByReservationAsync(reservationId, userId, cancellationToken) is { } existing)
            {
                return TypedResults.Created($"/v1/booking/bookings/{existing.BookingId}", existing);
            }
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Reservation expired",
                detail: $"The hold ended at {record.ExpiresAt:O}; the seats may have been taken. Reserve again.");
        }

        var seats = await catalog.SeatRowsAsync(reservation.EventId, cancellationToken);
        var total = reservation.SeatIds.Sum(s => seats.TryGetValue(s, out var seat) ? seat.PriceCents : 0);
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

        // The write records the authorization with the booking, in its transaction.
        var write = new BookingWrite(reservation, total, paymentRef);
        var direct = options.Value.WritePath == BookingWritePath.Direct;
        WriteResult? result;
        try
        {
            result = direct ? await writer.WriteAsync(write, cancellationToken) : await queue.WriteAsync(write, CancellationToken.None);
        }
        catch (BrokerUnavailableException)
        {
            // The queue only levels the load on MySQL; with the broker down this process's writer books it (the same
            // transaction and guards), rather than answering 202 for a write nobody will make.
            direct = true;
            result = await writer.WriteAsync(write, cancellationToken);
        }
        if (result is null)
        {
            // The queued writer did not answer in time; it may still book. The status URL tells; the reconciler
            // captures the payment if it did and voids it if it did not.
            var status = $"/v1/booking/confirmations/{reservation.ReservationId}";
            return TypedResults.Accepted(status, new ConfirmationStatus(reservation.ReservationId, ConfirmationStates.Pending, status, null));
        }
        if (result.Outcome == WriteOutcome.AlreadyBooked
            && await bookings.ByIdAsync(result.BookingId, userId, CancellationToken.None) is { } raced)
        {
            // A concurrent retry of this very confirm won: the seats are ours and so is the (shared, idempotent)
            // authorization, which that retry captures — answer with its booking and void nothing.
            return TypedResults.Created($"/v1/booking/bookings/{raced.BookingId}", raced);
        }
        if (result.Outcome != WriteOutcome.Booked)
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
            await ledger.MarkCapturedAsync(reservation.ReservationId);
        }
        catch (Exception ex)
        {
            // The booking stands; the payment row stays "authorized" with its booking, for the reconciler to capture.
            logger.LogError(ex, "Capture of {Reservation} failed; left for reconciliation", reservation.ReservationId);
        }
        if (direct)
        {
            await holds.MarkSoldAsync(reservation); // the queued writer did this after its commit
        }
        var booking = await bookings.FromWriteAsync(write, result, CancellationToken.None);
        return TypedResults.Created($"/v1/booking/bookings/{booking.BookingId}", booking);
    }
}
