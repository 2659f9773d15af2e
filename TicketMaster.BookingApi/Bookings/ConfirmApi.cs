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
        else if (method.Length > MaxPaymentMethodLength)
        {
            errors.Add("payment_info.method", $"must be at most {MaxPaymentMethodLength} characters");
        }
        var reservationId = request.ReservationId;
        if (reservationId is null && (request.EventId is not > 0 || request.SeatId is not > 0))
        {
            errors.Add("reservation_id", "reservation_id, or event_id and seat_id, are required");
        }
        else if (reservationId is { Length: > MaxReservationIdLength })
        {
            errors.Add("reservation_id", $"must be at most {MaxReservationIdLength} characters");
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

        // The event may have been cancelled since the hold was taken: nothing is authorized, and the hold goes.
        if (await catalog.GetSaleAsync(reservation.EventId, [], cancellationToken) is not { IsCancelled: false })
        {
            await holds.ReleaseAsync(reservation, Seats.SeatEvents.Released);
            return Problems.NotSelling(reservation.EventId, EventSale.Cancelled,
                $"Event {reservation.EventId} was cancelled; your hold was released and nothing was charged.");
        }

        var seats = await catalog.SeatRowsAsync(reservation.EventId, cancellationToken);
        var total = reservation.SeatIds.Sum(s => seats.TryGetValue(s, out var seat) ? seat.PriceCents : 0);
        // Every confirm of this reservation shares its live payment attempt (one authorization, however many
        // retries and double clicks); a new attempt, under a new idempotency key, only after a decline or a void.
        var attempt = await ledger.BeginAsync(reservation.ReservationId, userId, reservation.EventId, total, gateway.Name, method!,
            reservation.ExpiresAt, cancellationToken);
        if (attempt.Status == PaymentStatuses.Voiding || (PaymentStatuses.IsLive(attempt.Status) && attempt.Method != method))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Payment in progress",
                detail: "Another confirm of this reservation is paying with a different payment method; wait for its answer, or retry with the same method.");
        }

        using var paymentTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        paymentTimeout.CancelAfter(options.Value.PaymentTimeout);
        var authorization = await gateway.AuthorizeAsync(
            new PaymentRequest(attempt.IdempotencyKey, total, "usd", attempt.Method, $"TicketMaster {reservation.ReservationId}"), paymentTimeout.Token);
        if (authorization is AuthorizationResult.Declined declined)
        {
            await ledger.MarkAsync(reservation.ReservationId, attempt.Attempt, PaymentStatuses.Failed, cancellationToken);
            // The hold stays until it expires: the fan may try another card.
            return TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "Payment declined", detail: declined.Message,
                extensions: new Dictionary<string, object?> { ["decline_code"] = declined.Code, ["reservation_expires_at"] = reservation.ExpiresAt });
        }
        var paymentRef = ((AuthorizationResult.Authorized)authorization).ProviderRef;

        // The write records the authorization with the booking, in its transaction.
        var write = new BookingWrite(reservation, total, paymentRef, attempt.Attempt);
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
            // Someone else's booking holds a seat now (our hold lapsed meanwhile), or the event was cancelled: the fan is
            // not charged. The attempt is "voiding" until the provider confirms; if it does not now, the reconciler retries.
            if (await ledger.ClaimForVoidAsync(reservation.ReservationId, attempt.Attempt, CancellationToken.None))
            {
                try
                {
                    await gateway.VoidAsync(paymentRef, attempt.IdempotencyKey + ":void", CancellationToken.None);
                    await ledger.MarkAsync(reservation.ReservationId, attempt.Attempt, PaymentStatuses.Voided, CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Void of {Reservation} failed ({Error}); the reconciler voids it", reservation.ReservationId, ex.Message);
                }
            }
            await holds.ReleaseAsync(reservation, Seats.SeatEvents.Released);
            if (result.Outcome == WriteOutcome.Failed)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Booking not recorded",
                    detail: "This reservation could not be recorded; your payment was voided and the seats released.");
            }
            if (await catalog.GetSaleAsync(reservation.EventId, [], CancellationToken.None) is not { IsCancelled: false })
            {
                return Problems.NotSelling(reservation.EventId, EventSale.Cancelled,
                    $"Event {reservation.EventId} was cancelled; your hold was released and your payment voided.");
            }
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Seats lost",
                detail: "Another fan bought a seat of this reservation after the hold lapsed; your payment was voided.");
        }

        try
        {
            await gateway.CaptureAsync(paymentRef, attempt.IdempotencyKey + ":capture", CancellationToken.None);
            await ledger.MarkCapturedAsync(reservation.ReservationId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The booking stands; the payment stays "authorized" with its booking, and the reconciler captures it
            // (again and again, counted in ticketmaster.payments.settle_failures, until the provider accepts).
            logger.LogWarning("Capture of {Reservation} failed ({Error}); the reconciler captures it", reservation.ReservationId, ex.Message);
        }
        if (direct)
        {
            await holds.MarkSoldAsync(reservation); // the queued writer did this after its commit
        }
        var booking = await bookings.FromWriteAsync(write, result, CancellationToken.None);
        return TypedResults.Created($"/v1/booking/bookings/{booking.BookingId}", booking);
    }
}
