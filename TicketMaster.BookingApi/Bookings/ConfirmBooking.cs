using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.WriteQueue;

namespace TicketMaster.BookingApi.Bookings;

/// <summary>What a fan asked to confirm: a reservation by its id, or (the seed's form) by one seat it holds.</summary>
/// <summary>A fan's confirm; <paramref name="Email"/> is where their tickets are mailed (their token's address, if any).</summary>
public sealed record ConfirmCommand(string UserId, string? ReservationId, long? EventId, long? SeatId, string PaymentMethod, string? Email = null);

/// <summary>How a confirm ended; ConfirmApi answers each with its status code.</summary>
public abstract record ConfirmOutcome
{
    private ConfirmOutcome() { }

    public sealed record Booked(BookingResponse Booking) : ConfirmOutcome;
    public sealed record Pending(ConfirmationStatus Status) : ConfirmOutcome;
    public sealed record NotFound(string Detail) : ConfirmOutcome;
    public sealed record Expired(DateTimeOffset EndedAt) : ConfirmOutcome;
    public sealed record NotSelling(long EventId, string Detail) : ConfirmOutcome;
    public sealed record PaymentInProgress : ConfirmOutcome;
    public sealed record Declined(string Message, string? Code, DateTimeOffset HoldExpiresAt) : ConfirmOutcome;
    public sealed record SeatsLost : ConfirmOutcome;
    public sealed record NotRecorded : ConfirmOutcome;
}

// DESIGN §3 step 2. The reservation must be the caller's and alive; the payment is authorized under the
// reservation's live attempt (its idempotency key); one transaction flips the seats and records the booking (queued
// to the batching writer, or direct); then the payment is captured — or voided when the seats were lost.
public sealed class ConfirmBooking(
    HoldStore holds, BookingReader bookings, BookingWriter writer, BookingWriteQueue queue, PaymentLedger ledger,
    IPaymentGateway gateway, IConnectionMultiplexer redis, SeatCatalog catalog, IOptions<BookingOptions> options,
    WaitingRoom.BookingPathLatency latency, ILogger<ConfirmBooking> logger)
{
    /// <summary>Confirms, timed for the waiting rooms' admission rate (BookingPathLatency).</summary>
    public async Task<ConfirmOutcome> ConfirmAsync(ConfirmCommand command, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await ConfirmUntimedAsync(command, cancellationToken);
        }
        finally
        {
            latency.Record(started);
        }
    }

    private async Task<ConfirmOutcome> ConfirmUntimedAsync(ConfirmCommand command, CancellationToken cancellationToken)
    {
        var (reservation, ended) = await FindLiveReservationAsync(command, cancellationToken);
        if (reservation is null)
        {
            return ended!;
        }
        if (!await StillSellingAsync(reservation.EventId, cancellationToken))
        {
            await holds.ReleaseAsync(reservation, SeatEvents.Released);
            return new ConfirmOutcome.NotSelling(reservation.EventId,
                $"Event {reservation.EventId} was cancelled; your hold was released and nothing was charged.");
        }

        var (payment, refused) = await AuthorizeAsync(reservation, command, cancellationToken);
        if (payment is null)
        {
            return refused!;
        }

        var write = new BookingWrite(reservation, payment.AmountCents, payment.ProviderRef, payment.Attempt.Attempt, command.Email);
        var (result, wroteHere) = await WriteAsync(write, cancellationToken);
        if (result is null)
        {
            // The queued writer did not answer in time; it may still book. The status URL tells; the reconciler
            // captures the payment if it did and voids it if it did not.
            var status = $"/v1/booking/confirmations/{reservation.ReservationId}";
            return new ConfirmOutcome.Pending(new ConfirmationStatus(reservation.ReservationId, ConfirmationStates.Pending, status, null));
        }
        if (result.Outcome == WriteOutcome.AlreadyBooked
            && await bookings.ByIdAsync(result.BookingId, command.UserId, CancellationToken.None) is { } raced)
        {
            // A concurrent retry of this very confirm won: the seats are ours and so is the (shared, idempotent)
            // authorization, which that retry captures — answer with its booking and void nothing.
            return new ConfirmOutcome.Booked(raced);
        }
        if (result.Outcome != WriteOutcome.Booked)
        {
            return await GiveBackAsync(reservation, payment, result.Outcome);
        }

        await CaptureAsync(reservation, payment);
        if (wroteHere)
        {
            await holds.MarkSoldAsync(reservation); // the queued writer does this after its commit
        }
        return new ConfirmOutcome.Booked(await bookings.FromWriteAsync(write, result, CancellationToken.None));
    }

    private sealed record Payment(PaymentAttempt Attempt, long AmountCents, string ProviderRef);

    private async Task<(Reservation? Live, ConfirmOutcome? Otherwise)> FindLiveReservationAsync(ConfirmCommand command, CancellationToken cancellationToken)
    {
        // The seed's form names a seat: the reservation is whichever of the caller's holds covers it.
        var reservationId = command.ReservationId
            ?? (string?)await redis.GetDatabase().StringGetAsync(HoldKeys.Hold(command.EventId!.Value, command.SeatId!.Value));
        if (reservationId is null)
        {
            return (null, new ConfirmOutcome.NotFound("No reservation holds this seat; reserve it first."));
        }
        var found = await holds.GetAsync(reservationId, cancellationToken);
        if (found is not { Record: { } record } || record.UserId != command.UserId)
        {
            return (null, new ConfirmOutcome.NotFound("No reservation of yours has this id."));
        }
        if (found.Value.Active is { } live)
        {
            return (live, null);
        }
        // The hold is gone: a retried confirm (lost response, double click) finds the booking it already made;
        // otherwise the hold lapsed.
        return await bookings.ByReservationAsync(reservationId, command.UserId, cancellationToken) is { } existing
            ? (null, new ConfirmOutcome.Booked(existing))
            : (null, new ConfirmOutcome.Expired(record.ExpiresAt));
    }

    // The event may have been cancelled since the hold was taken.
    private async Task<bool> StillSellingAsync(long eventId, CancellationToken cancellationToken) =>
        await catalog.GetSaleAsync(eventId, [], cancellationToken) is { IsCancelled: false };

    private async Task<(Payment? Authorized, ConfirmOutcome? Otherwise)> AuthorizeAsync(
        Reservation reservation, ConfirmCommand command, CancellationToken cancellationToken)
    {
        var seats = await catalog.SeatRowsAsync(reservation.EventId, cancellationToken);
        var total = reservation.SeatIds.Sum(s => seats.TryGetValue(s, out var seat) ? seat.PriceCents : 0);
        // Every confirm of this reservation shares its live payment attempt (one authorization, however many
        // retries and double clicks); a new attempt, under a new idempotency key, only after a decline or a void.
        var attempt = await ledger.BeginAsync(reservation.ReservationId, command.UserId, reservation.EventId, total, gateway.Name,
            command.PaymentMethod, reservation.KeepAliveUntil ?? reservation.ExpiresAt, cancellationToken);
        if (attempt.Status == PaymentStatuses.Voiding || (PaymentStatuses.IsLive(attempt.Status) && attempt.Method != command.PaymentMethod))
        {
            return (null, new ConfirmOutcome.PaymentInProgress());
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PaymentTimeout);
        var authorization = await gateway.AuthorizeAsync(
            new PaymentRequest(attempt.IdempotencyKey, total, "usd", attempt.Method, $"TicketMaster {reservation.ReservationId}"), timeout.Token);
        if (authorization is AuthorizationResult.Declined declined)
        {
            await ledger.MarkAsync(reservation.ReservationId, attempt.Attempt, PaymentStatuses.Failed, cancellationToken);
            // The hold stays until it expires: the fan may try another card.
            return (null, new ConfirmOutcome.Declined(declined.Message, declined.Code, reservation.ExpiresAt));
        }
        return (new Payment(attempt, total, ((AuthorizationResult.Authorized)authorization).ProviderRef), null);
    }

    /// <summary>The booking transaction; null when the queued writer did not answer in time. WroteHere: this process wrote it.</summary>
    private async Task<(WriteResult? Result, bool WroteHere)> WriteAsync(BookingWrite write, CancellationToken cancellationToken)
    {
        if (options.Value.WritePath == BookingWritePath.Direct)
        {
            return (await writer.WriteAsync(write, cancellationToken), true);
        }
        try
        {
            return (await queue.WriteAsync(write, CancellationToken.None), false);
        }
        catch (BrokerUnavailableException)
        {
            // The queue only levels the load on MySQL; with the broker down this process's writer books it (the same
            // transaction and guards), rather than answering 202 for a write nobody will make.
            return (await writer.WriteAsync(write, cancellationToken), true);
        }
    }

    // Someone else's booking holds a seat now (our hold lapsed meanwhile), or the event was cancelled: the fan is not
    // charged. The attempt is "voiding" until the provider confirms; if it does not now, the reconciler retries.
    private async Task<ConfirmOutcome> GiveBackAsync(Reservation reservation, Payment payment, WriteOutcome outcome)
    {
        if (await ledger.ClaimForVoidAsync(reservation.ReservationId, payment.Attempt.Attempt, CancellationToken.None))
        {
            try
            {
                await gateway.VoidAsync(payment.ProviderRef, payment.Attempt.IdempotencyKey + ":void", CancellationToken.None);
                await ledger.MarkAsync(reservation.ReservationId, payment.Attempt.Attempt, PaymentStatuses.Voided, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Void of {Reservation} failed ({Error}); the reconciler voids it", reservation.ReservationId, ex.Message);
            }
        }
        await holds.ReleaseAsync(reservation, SeatEvents.Released);
        if (outcome == WriteOutcome.Failed)
        {
            return new ConfirmOutcome.NotRecorded();
        }
        return await StillSellingAsync(reservation.EventId, CancellationToken.None)
            ? new ConfirmOutcome.SeatsLost()
            : new ConfirmOutcome.NotSelling(reservation.EventId,
                $"Event {reservation.EventId} was cancelled; your hold was released and your payment voided.");
    }

    private async Task CaptureAsync(Reservation reservation, Payment payment)
    {
        try
        {
            await gateway.CaptureAsync(payment.ProviderRef, payment.Attempt.IdempotencyKey + ":capture", CancellationToken.None);
            await ledger.MarkCapturedAsync(reservation.ReservationId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The booking stands; the payment stays "authorized" with its booking, and the reconciler captures it
            // (again and again, counted in ticketmaster.payments.settle_failures, until the provider accepts).
            logger.LogWarning("Capture of {Reservation} failed ({Error}); the reconciler captures it", reservation.ReservationId, ex.Message);
        }
    }
}
