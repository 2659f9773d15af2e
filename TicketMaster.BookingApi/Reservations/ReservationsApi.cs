using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TicketMaster.BookingApi.Invariants;
using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.WaitingRoom;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Reservations;

/// <summary>
/// POST /v1/booking/reserve: `seat_ids` (or the seed's single `seat_id`), or `quantity` for the best seats side by side,
/// optionally in one `section_id` and at most `max_price_cents` each, waiting up to `wait_seconds` for seats to come back
/// when every one is held (ReturnsWaitlist); `queue_pass` for events with a waiting room.
/// </summary>
public sealed record ReserveRequest(long? EventId, List<long>? SeatIds, long? SeatId, string? QueuePass = null, int? Quantity = null,
    long? SectionId = null, long? MaxPriceCents = null, int? WaitSeconds = null);

public sealed record ReservedSeat(long SeatId, string Section, string Row, int Number, long PriceCents);

/// <param name="ExpiresAt">When the hold lapses; for a hold with <paramref name="KeepAliveUntil"/>, unless kept alive.</param>
/// <param name="KeepAliveUntil">
/// Present for a hold kept only while its fan is at checkout (a sale through a waiting room): the checkout sends
/// POST /v1/booking/reservations/{id}/keep-alive (every third of the time left to expires_at, ~7 s) and the hold
/// lasts up to this time.
/// </param>
public sealed record ReservationResponse(string ReservationId, long EventId, IReadOnlyList<long> SeatIds, DateTimeOffset ExpiresAt,
    IReadOnlyList<ReservedSeat> Seats, DateTimeOffset? KeepAliveUntil)
{
    public static ReservationResponse From(Reservation r, IReadOnlyDictionary<long, SeatRow> seats) =>
        new(r.ReservationId, r.EventId, r.SeatIds, r.ExpiresAt, r.SeatIds.Where(seats.ContainsKey).Select(id => seats[id])
            .Select(s => new ReservedSeat(s.SeatId, s.Section, s.Row, s.Number, s.PriceCents)).ToList(), r.KeepAliveUntil);
}

public static class ReservationsApi
{
    public static RouteGroupBuilder MapReservationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking").WithTags("Reservations").RequireAuthorization();
        // Reserve counts the fan's rate limit inside its own hold script (HoldScripts.Reserve), release in the middleware.
        api.MapPost("/reserve", Reserve);
        api.MapGet("/reservations/{reservationId}", GetReservation).RequireRateLimit(RateLimitKind.Polling);
        api.MapDelete("/reservations/{reservationId}", Release).RequireRateLimit(RateLimitKind.Writes);
        api.MapPost("/reservations/{reservationId}/keep-alive", KeepAlive).RequireRateLimit(RateLimitKind.Writes);
        return api;
    }

    public static async Task<Results<Created<ReservationResponse>, ValidationProblem, ProblemHttpResult>> Reserve(
        ReserveRequest request, ClaimsPrincipal user, HttpRequest http, HoldStore holds, SeatCatalog catalog,
        QueuePasses passes, InvariantMonitor invariants, ReturnsWaitlist returns, IOptions<BookingOptions> options, CancellationToken cancellationToken)
    {
        var seatIds = request.SeatIds ?? (request.SeatId is { } single ? [single] : []);
        var best = request.Quantity is not null;
        var most = options.Value.MaxSeatsPerReservation;
        var errors = new ValidationErrors();
        if (request.EventId is not > 0)
        {
            errors.Add("event_id", "is required");
        }
        if (best)
        {
            if (request.SeatIds is not null || request.SeatId is not null)
            {
                errors.Add("quantity", "give seat_ids or quantity (best available), not both");
            }
            if (request.Quantity is not { } quantity || quantity < 1 || quantity > most)
            {
                errors.Add("quantity", $"must be between 1 and {most}");
            }
            if (request.SectionId is <= 0)
            {
                errors.Add("section_id", "must be a positive section id");
            }
            if (request.MaxPriceCents is < 0)
            {
                errors.Add("max_price_cents", "must not be negative");
            }
            if (request.WaitSeconds is { } wait && (wait < 0 || wait > options.Value.MaxReturnsWait.TotalSeconds))
            {
                errors.Add("wait_seconds", $"must be between 0 and {options.Value.MaxReturnsWait.TotalSeconds:F0}");
            }
        }
        else
        {
            if (seatIds.Distinct().Count() != seatIds.Count)
            {
                errors.Add("seat_ids", "each seat at most once");
            }
            if (seatIds.Count == 0 || seatIds.Count > most || seatIds.Any(s => s <= 0))
            {
                errors.Add("seat_ids", $"between 1 and {most} seat ids are required (or a quantity for the best available)");
            }
            if (request.SectionId is not null || request.MaxPriceCents is not null || request.WaitSeconds is not null)
            {
                errors.Add("section_id", "section_id, max_price_cents and wait_seconds go with quantity (best available)");
            }
        }
        var idempotencyKey = http.Headers["Idempotency-Key"].ToString();
        if (idempotencyKey.Length > 200)
        {
            errors.Add("Idempotency-Key", "must be at most 200 characters");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var eventId = request.EventId!.Value;
        var sale = await catalog.GetSaleAsync(eventId, seatIds, cancellationToken);
        if (sale is null)
        {
            return Problems.EventNotFound(eventId);
        }
        if (sale.UnknownSeatIds.Count > 0)
        {
            return new ValidationErrors().Add("seat_ids", $"not seats of event {eventId}: {string.Join(", ", sale.UnknownSeatIds)}")
                .ToUnprocessable("Some seats do not belong to this event.");
        }
        if (sale.StatusAt(DateTimeOffset.UtcNow) is var status && status != EventStatuses.Scheduled)
        {
            return Problems.NotSelling(eventId, status);
        }
        if (sale.OnSaleAt > DateTimeOffset.UtcNow)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not on sale",
                detail: $"Event {eventId} goes on sale at {sale.OnSaleAt:O}.");
        }

        var userId = user.UserId();
        if (sale.WaitingRoom && !passes.IsValid(request.QueuePass, eventId, userId, DateTimeOffset.UtcNow))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Waiting-room pass required",
                detail: $"Event {eventId} sells through its waiting room: join /v1/booking/events/{eventId}/queue and send the pass you get as queue_pass.");
        }
        var choice = SeatChoice.Named(seatIds);
        if (best)
        {
            var layout = await catalog.LayoutAsync(eventId, cancellationToken);
            if (request.SectionId is { } sectionId && layout?.Sections.Any(s => s.SectionId == sectionId) != true)
            {
                return new ValidationErrors().Add("section_id", $"not a section of event {eventId}").ToUnprocessable("No such section.");
            }
            choice = SeatChoice.Best(request.Quantity!.Value,
                layout!.RowRanges(layout.Preference(sale.SectionOrder), request.SectionId, request.MaxPriceCents));
        }
        var idempotent = idempotencyKey.Length > 0;
        var reservationId = Reservation.NewId(eventId, userId, idempotent ? idempotencyKey : null);
        var outcome = choice is { IsBest: true, Rows: "" }
            ? new ReserveOutcome.NotSideBySide(choice.Quantity, 0, 0)
            : await holds.ReserveAsync(eventId, sale, userId, choice, reservationId, idempotent, cancellationToken);
        if (outcome is ReserveOutcome.NotSideBySide nothing && request.WaitSeconds is > 0 && choice.Rows is not "")
        {
            var waiting = System.Diagnostics.Stopwatch.GetTimestamp();
            outcome = await returns.WaitAsync(eventId, nothing, TimeSpan.FromSeconds(request.WaitSeconds.Value),
                () => holds.ReserveAsync(eventId, sale, userId, choice, reservationId, idempotent, CancellationToken.None, askingAgain: true),
                cancellationToken);
            // The wait for returned seats, apart from the reserve's own time (W3C Server-Timing).
            http.HttpContext.Response.Headers["Server-Timing"] =
                $"returns;dur={System.Diagnostics.Stopwatch.GetElapsedTime(waiting).TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)}";
        }
        invariants.Watch(eventId);

        return outcome switch
        {
            ReserveOutcome.Held held => TypedResults.Created($"/v1/booking/reservations/{held.Reservation.ReservationId}",
                ReservationResponse.From(held.Reservation, await catalog.SeatRowsAsync(eventId, cancellationToken))),
            ReserveOutcome.NotSideBySide none => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: none.SoldOut ? "Sold out" : none.SeatsLeft == 0 ? "No seats left" : "Not enough seats side by side",
                detail: none.SoldOut
                    ? $"Every seat of event {eventId} is sold; nothing was held."
                    : none.SeatsLeft == 0
                    ? "No seat is free where you asked; nothing was held. Held seats come free when their holds end: ask with wait_seconds to wait for them in turn."
                    : $"No {none.Quantity} free seats side by side in one row where you asked; {none.SeatsLeft} seats are free there, at most {none.LargestBlock} side by side. Nothing was held: ask for fewer, or pick seats.",
                extensions: new Dictionary<string, object?>
                {
                    ["seats_left"] = none.SeatsLeft, ["largest_block"] = none.LargestBlock, ["quantity"] = none.Quantity, ["sold_out"] = none.SoldOut,
                }),
            ReserveOutcome.Conflict conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Seats taken",
                detail: "Some seats are held or sold; nothing was held.",
                extensions: new Dictionary<string, object?> { ["conflicting_seat_ids"] = conflict.SeatIds }),
            ReserveOutcome.RateLimited limited => RateLimits.TooManyRequests(http.HttpContext.Response, limited.RetryAfter),
            ReserveOutcome.OverLimit over => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Ticket limit reached",
                detail: $"At most {over.Limit} tickets per fan for this event; you already have {over.Already} held or booked.",
                extensions: new Dictionary<string, object?> { ["max_tickets_per_user"] = over.Limit }),
            ReserveOutcome.TooManyEvents events => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Holding seats in too many events",
                detail: $"You hold seats in {events.HeldEventIds.Count} other events (at most {events.Limit} at once); confirm or release one of them first.",
                extensions: new Dictionary<string, object?> { ["held_event_ids"] = events.HeldEventIds, ["max_events_held"] = events.Limit }),
            _ => throw new InvalidOperationException("unexpected outcome"),
        };
    }

    /// <summary>The fan's own live hold (a checkout page shows it); 410 once it ended (bought, released or lapsed).</summary>
    public static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> GetReservation(
        string reservationId, ClaimsPrincipal user, HoldStore holds, SeatCatalog catalog, CancellationToken cancellationToken)
    {
        var found = await holds.GetAsync(reservationId, cancellationToken);
        if (found is not { Record: { } record } || record.UserId != user.UserId())
        {
            return Problems.NotFound("Reservation not found", "No reservation of yours has this id.");
        }
        if (found.Value.Active is not { } active)
        {
            return HoldEnded();
        }
        return TypedResults.Ok(ReservationResponse.From(active, await catalog.SeatRowsAsync(active.EventId, cancellationToken)));
    }

    /// <summary>The fan is still at checkout: a hold kept only so lasts Booking:HoldPresence longer (to its limit); 410 once it ended.</summary>
    public static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> KeepAlive(
        string reservationId, ClaimsPrincipal user, HoldStore holds, SeatCatalog catalog, CancellationToken cancellationToken)
    {
        var found = await holds.GetAsync(reservationId, cancellationToken);
        if (found is not { Record: { } record } || record.UserId != user.UserId())
        {
            return Problems.NotFound("Reservation not found", "No reservation of yours has this id.");
        }
        if (found.Value.Active is not { } active || await holds.KeepAliveAsync(active) is not { } kept)
        {
            return HoldEnded();
        }
        return TypedResults.Ok(ReservationResponse.From(kept, await catalog.SeatRowsAsync(kept.EventId, cancellationToken)));
    }

    private static ProblemHttpResult HoldEnded() => TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Hold ended",
        detail: "This hold ended: bought, released or lapsed. A bought one's booking is at /v1/booking/confirmations/{reservation_id}.");

    public static async Task<Results<NoContent, ProblemHttpResult>> Release(
        string reservationId, ClaimsPrincipal user, HoldStore holds, CancellationToken cancellationToken)
    {
        var found = await holds.GetAsync(reservationId, cancellationToken);
        if (found is not { Record: { } record } || record.UserId != user.UserId())
        {
            return Problems.NotFound("Reservation not found", "No reservation of yours has this id.");
        }
        if (found.Value.Active is { } active)
        {
            await holds.ReleaseAsync(active, SeatEvents.Released);
        }
        return TypedResults.NoContent();
    }
}
