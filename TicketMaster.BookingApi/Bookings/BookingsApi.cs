using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.BookingApi.Seats;
using TicketMaster.Data;
using TicketMaster.ServiceDefaults.Http;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Bookings;

public static class BookingsApi
{
    /// <summary>Far longer than any code we issue; a longer one is not ours and is refused before any work.</summary>
    public const int MaxCodeLength = 200;

    public static RouteGroupBuilder MapBookingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking").WithTags("Bookings").RequireAuthorization();
        api.MapGet("/bookings", ListBookings).RequireRateLimit(RateLimitKind.Polling);
        api.MapGet("/bookings/{bookingId:long}", GetBooking).RequireRateLimit(RateLimitKind.Polling);
        api.MapPost("/bookings/{bookingId:long}/cancel", Cancel).RequireRateLimit(RateLimitKind.Writes);
        api.MapPost("/check-in", CheckIn).RequireAuthorization(Roles.Staff).RequireRateLimit(RateLimitKind.Writes);
        return api;
    }

    /// <summary>At most this many tickets named in one cancel (a booking has at most as many as a reservation).</summary>
    public const int MaxTicketsPerCancel = 100;

    // The booking's owner gives back all its valid tickets, or the ones named; someone else's booking is a 404.
    public static async Task<Results<Ok<CancelResponse>, ValidationProblem, ProblemHttpResult>> Cancel(
        long bookingId, CancelRequest? request, HttpRequest http, ClaimsPrincipal user, CancelBooking cancel, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var idempotencyKey = http.Headers["Idempotency-Key"].ToString();
        if (idempotencyKey.Length > 200)
        {
            errors.Add("Idempotency-Key", "must be at most 200 characters");
        }
        var ticketIds = request?.TicketIds;
        if (ticketIds is { Count: 0 or > MaxTicketsPerCancel })
        {
            errors.Add("ticket_ids", $"1 to {MaxTicketsPerCancel} ticket ids, or none for every ticket of the booking");
        }
        else if (ticketIds is not null && (ticketIds.Any(id => id <= 0) || ticketIds.Distinct().Count() != ticketIds.Count))
        {
            errors.Add("ticket_ids", "ticket ids are positive integers, each at most once");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var outcome = await cancel.CancelAsync(
            new CancelCommand(bookingId, user.UserId(), ticketIds, idempotencyKey.Length == 0 ? null : idempotencyKey), cancellationToken);
        return outcome switch
        {
            CancelOutcome.Refunded refunded => TypedResults.Ok(refunded.Response),
            CancelOutcome.UnknownTickets unknown => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Not tickets of this booking", detail: $"Booking {bookingId} has no tickets {string.Join(", ", unknown.TicketIds)}.",
                extensions: new Dictionary<string, object?> { ["ticket_ids"] = unknown.TicketIds }),
            CancelOutcome.Refused refused => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: refused.Title, detail: refused.Detail,
                extensions: refused.TicketIds is null ? null : new Dictionary<string, object?> { ["ticket_ids"] = refused.TicketIds }),
            _ => Problems.NotFound("Booking not found", "No booking of yours has this id."),
        };
    }

    public static async Task<Ok<List<BookingResponse>>> ListBookings(ClaimsPrincipal user, BookingReader bookings, CancellationToken cancellationToken) =>
        TypedResults.Ok(await bookings.ForUserAsync(user.UserId(), cancellationToken));

    // Someone else's booking is a 404, not a 403: its existence is not the caller's business.
    public static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> GetBooking(
        long bookingId, ClaimsPrincipal user, BookingReader bookings, CancellationToken cancellationToken) =>
        await bookings.ByIdAsync(bookingId, user.UserId(), cancellationToken) is { } booking
            ? TypedResults.Ok(booking)
            : Problems.NotFound("Booking not found", "No booking of yours has this id.");

    // The QR signature proves the ticket was issued by us; only staff the event's owner named (or an admin) may
    // admit it, never for a cancelled event; the conditional UPDATE lets it in exactly once.
    public static async Task<Results<Ok<CheckInResponse>, ValidationProblem, ProblemHttpResult>> CheckIn(
        CheckInRequest request, ClaimsPrincipal user, TicketCodes codes, MySqlDataSource dataSource, SaleEventStore sales, CatalogClient catalog,
        CancellationToken cancellationToken)
    {
        if (request.QrCode is { Length: > MaxCodeLength })
        {
            return new ValidationErrors().Add("qr_code", $"must be at most {MaxCodeLength} characters").ToProblem();
        }
        switch (codes.Verify(request.QrCode, out var ticketId, out var eventId, out var generation))
        {
            case TicketCodes.Verdict.Malformed:
                return new ValidationErrors().Add("qr_code", "is not a TicketMaster ticket code").ToProblem();
            case TicketCodes.Verdict.Forged:
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Invalid ticket",
                    detail: "The ticket code's signature does not verify.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var door = await SaleEventStore.ReadDoorAsync(connection, eventId, user.UserId(), cancellationToken);
        if (door is { Staff: false } && !user.IsAdmin())
        {
            // The staff list may have changed a moment ago (its message still on its way): the owner's list is asked once.
            if (await catalog.GetTermsAsync(eventId, cancellationToken) is { } terms)
            {
                await sales.SaveTermsAsync(terms, cancellationToken);
                door = await SaleEventStore.ReadDoorAsync(connection, eventId, user.UserId(), cancellationToken);
            }
        }
        if (door is not { } known)
        {
            return Problems.NotFound("Ticket not found", "The code is genuine but its event no longer exists.");
        }
        if (!known.Staff && !user.IsAdmin())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not staff of this event",
                detail: $"Only the door staff the organizer named for event {eventId} may check its tickets in.");
        }
        if (known.Status == EventStatuses.Cancelled)
        {
            return Problems.NotSelling(eventId, known.Status, $"Event {eventId} is cancelled: its tickets admit no one.");
        }
        await using (var admit = new MySqlCommand(
            """
            UPDATE ticket SET checked_in_at = CURRENT_TIMESTAMP(3)
            WHERE ticket_id = @ticket AND event_id = @event AND checked_in_at IS NULL AND status = 'valid' AND code_generation = @generation
            """,
            connection))
        {
            admit.Parameters.AddWithValue("@ticket", ticketId);
            admit.Parameters.AddWithValue("@event", eventId);
            admit.Parameters.AddWithValue("@generation", generation);
            var admitted = await admit.ExecuteNonQueryAsync(cancellationToken) == 1;
            var (ticket, status, current) = await ReadAsync(connection, ticketId, cancellationToken);
            if (status is null)
            {
                return Problems.NotFound("Ticket not found", "The code is genuine but the ticket no longer exists.");
            }
            if (status != TicketStatuses.Valid)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Not valid",
                    detail: "This ticket was refunded: it admits no one.");
            }
            if (current != generation)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Not valid",
                    detail: "This ticket was transferred: its holder has a new code, and this one admits no one.");
            }
            return admitted
                ? TypedResults.Ok(ticket!)
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already checked in",
                    detail: $"This ticket was checked in at {ticket!.CheckedInAt:O}.");
        }
    }

    private static async Task<(CheckInResponse? Ticket, string? Status, int Generation)> ReadAsync(MySqlConnection connection, long ticketId,
        CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand("""
            SELECT t.event_id, t.seat_id, es.section_name, es.row_label, es.seat_number, t.checked_in_at, t.status, t.code_generation
            FROM ticket t JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
            WHERE t.ticket_id = @ticket
            """, connection);
        command.Parameters.AddWithValue("@ticket", ticketId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, null, 0);
        }
        var status = reader.GetString(6);
        return (reader.IsDBNull(5) ? null : new CheckInResponse(ticketId, reader.GetInt64(0),
            new TicketSeat(reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)), MySqlTime.Utc(reader.GetDateTime(5))), status,
            reader.GetInt32(7));
    }
}
