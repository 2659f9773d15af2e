using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.BookingApi.Mail;
using TicketMaster.Data;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Tickets;

/// <summary>POST /v1/booking/tickets/{ticket_id}/transfer.</summary>
public sealed record TransferRequest(string? ToUserId);

/// <summary>A valid ticket the caller holds: bought, or received (transferred to them).</summary>
public sealed record HeldTicket(long TicketId, EventDetails Event, TicketSeat Seat, long PriceCents, string QrCode, DateTimeOffset? CheckedInAt,
    bool Received);

public static class TicketsApi
{
    /// <summary>My tickets lists at most this many (the newest events' first would need paging beyond it).</summary>
    public const int MaxListed = 200;

    public static RouteGroupBuilder MapTicketsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking/tickets").WithTags("Tickets").RequireAuthorization();
        api.MapGet("/", ListTickets).RequireRateLimit(RateLimitKind.Polling);
        api.MapPost("/{ticketId:long}/transfer", Transfer).RequireRateLimit(RateLimitKind.Writes);
        return api;
    }

    // The ticket's holder only; another's ticket is a 404 (its existence is not the caller's business).
    public static async Task<Results<Ok<TransferResponse>, ValidationProblem, ProblemHttpResult>> Transfer(
        long ticketId, TransferRequest request, ClaimsPrincipal user, TransferTicket transfers, MySqlDataSource dataSource,
        CancellationToken cancellationToken)
    {
        if (!UserIds.IsAcceptable(request.ToUserId))
        {
            return new ValidationErrors().Add("to_user_id", $"must be a user id of 1 to {UserIds.MaxLength} characters").ToProblem();
        }
        if (request.ToUserId == user.UserId())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Transfer to yourself",
                detail: "The ticket is yours already.");
        }
        await RememberAddressAsync(dataSource, user, cancellationToken);
        return await transfers.TransferAsync(ticketId, user.UserId(), request.ToUserId!, cancellationToken) switch
        {
            TransferOutcome.Transferred moved => TypedResults.Ok(moved.Response),
            TransferOutcome.Refused refused => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: refused.Title, detail: refused.Detail),
            TransferOutcome.OverLimit over => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Over the recipient's limit",
                detail: $"The recipient holds {over.Limit} tickets of this event, its limit per fan.",
                extensions: new Dictionary<string, object?> { ["max_tickets_per_user"] = over.Limit }),
            _ => Problems.NotFound("Ticket not found", "No ticket of yours has this id."),
        };
    }

    // A fan who was given a ticket gets their mail at the address of the token they last showed here or at a confirm.
    private static async Task RememberAddressAsync(MySqlDataSource dataSource, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.Email() is { } email)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await MailOutbox.RememberAddressAsync(connection, user.UserId(), email, cancellationToken);
        }
    }

    public static async Task<Ok<List<HeldTicket>>> ListTickets(ClaimsPrincipal user, MySqlDataSource dataSource, TicketCodes codes,
        CancellationToken cancellationToken)
    {
        await RememberAddressAsync(dataSource, user, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = new List<(long Ticket, long Event, long Seat, string Section, string Row, int Number, long Price, DateTime? CheckedIn, int Generation, bool Received)>();
        // Bought and not given away, then received: two indexed lookups rather than one OR that uses neither index.
        await using (var read = new MySqlCommand($"""
            SELECT t.ticket_id, t.event_id, t.seat_id, es.section_name, es.row_label, es.seat_number, t.price_cents, t.checked_in_at, t.code_generation, FALSE
            FROM booking b JOIN ticket t ON t.booking_id = b.booking_id JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
            WHERE b.user_id = @user AND t.status = 'valid' AND (t.holder_id IS NULL OR t.holder_id = b.user_id)
            UNION ALL
            SELECT t.ticket_id, t.event_id, t.seat_id, es.section_name, es.row_label, es.seat_number, t.price_cents, t.checked_in_at, t.code_generation, TRUE
            FROM ticket t JOIN booking b ON b.booking_id = t.booking_id JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
            WHERE t.holder_id = @user AND b.user_id <> @user AND t.status = 'valid'
            ORDER BY 2, 4, 5, 6
            LIMIT {MaxListed}
            """, connection))
        {
            read.Parameters.AddWithValue("@user", user.UserId());
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5),
                    reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetDateTime(7), reader.GetInt32(8), reader.GetBoolean(9)));
            }
        }
        var details = new Dictionary<long, EventDetails>();
        foreach (var eventId in rows.Select(r => r.Event).Distinct())
        {
            details[eventId] = (await SaleEventStore.ReadDetailsAsync(connection, eventId, cancellationToken))!;
        }
        return TypedResults.Ok(rows.Select(r => new HeldTicket(r.Ticket, details[r.Event], new TicketSeat(r.Seat, r.Section, r.Row, r.Number), r.Price,
            codes.Issue(r.Ticket, r.Event, r.Seat, r.Generation), r.CheckedIn is { } at ? MySqlTime.Utc(at) : null, r.Received)).ToList());
    }
}
