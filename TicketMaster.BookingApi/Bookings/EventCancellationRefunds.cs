using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MySqlConnector;
using TicketMaster.BookingApi.Seats;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.Bookings;

/// <summary>How far the refunds of a cancelled event have got (the owner watches it).</summary>
public sealed record CancellationProgress(long EventId, string EventStatus, long Bookings, long BookingsRefunded, long TicketsRefunded,
    long RefundedCents, long RefundsPending, bool Done);

// Cancelling an event (its owner, on EventsApi; the sale hears it as event.sale_changed) refunds every booking in full,
// in the background: every replica's loop takes bookings of cancelled events that still have valid tickets, a batch
// at a time, and refunds each through CancelBooking's one transaction. Nothing is kept of the loop's progress but the
// bookings themselves — a booking with no valid ticket is done — so a crash anywhere resumes at the next pass, and
// two replicas on one booking refund it once (the second finds nothing valid under the ticket locks). The event
// sells nothing meanwhile (it is cancelled).
public sealed class EventCancellationRefunds(MySqlDataSource dataSource, CancelBooking cancel, IOptions<BookingOptions> options,
    ILogger<EventCancellationRefunds> logger) : BackgroundService
{
    private const int BatchSize = 50;

    // A full batch means more are waiting: the next goes on at once.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundPasses.RunAsync(async cancellationToken => await RefundBatchAsync(cancellationToken) == BatchSize,
            () => options.Value.ReconcileInterval, logger, "Refunding cancelled events", stoppingToken);

    /// <summary>One batch; returns how many bookings it looked at.</summary>
    public async Task<int> RefundBatchAsync(CancellationToken cancellationToken)
    {
        var due = new List<long>();
        using (BackgroundTracing.Quiet())
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var read = new MySqlCommand($"""
                SELECT b.booking_id FROM sale_event e JOIN booking b ON b.event_id = e.event_id
                WHERE e.status = 'cancelled' AND b.status <> 'cancelled'
                  AND EXISTS (SELECT 1 FROM ticket t WHERE t.booking_id = b.booking_id AND t.status = 'valid')
                ORDER BY b.booking_id LIMIT {BatchSize}
                """, connection);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(reader.GetInt64(0));
            }
        }
        foreach (var bookingId in due)
        {
            using var work = BackgroundTracing.Work("event cancellation refund");
            await cancel.RefundCancelledEventAsync(bookingId, cancellationToken);
        }
        return due.Count;
    }
}

public static class CancellationProgressApi
{
    /// <summary>GET /v1/booking/events/{event_id}/cancellation (the event's owner, or an admin).</summary>
    public static IEndpointRouteBuilder MapCancellationProgressApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/booking/events/{eventId:long}/cancellation", ProgressAsync).WithTags("Bookings").RequireAuthorization(Roles.Organizer);
        return app;
    }

    // Another organizer learns nothing of the event: the same 404 as an unknown one.
    public static async Task<Results<Ok<CancellationProgress>, ProblemHttpResult>> ProgressAsync(long eventId, ClaimsPrincipal user,
        SeatCatalog catalog, MySqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (await catalog.GetSaleAsync(eventId, [], cancellationToken) is not { } sale || !user.CanManage(sale.OwnerId))
        {
            return Problems.EventNotFound(eventId);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand("""
            SELECT (SELECT COUNT(*) FROM booking WHERE event_id = @event),
                   (SELECT COUNT(*) FROM booking WHERE event_id = @event AND status = 'cancelled'),
                   (SELECT COUNT(*) FROM ticket WHERE event_id = @event AND status = 'refunded'),
                   (SELECT COALESCE(SUM(amount_cents), 0) FROM refund WHERE event_id = @event AND status = 'refunded'),
                   (SELECT COUNT(*) FROM refund WHERE event_id = @event AND status = 'pending')
            """, connection);
        read.Parameters.AddWithValue("@event", eventId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (bookings, refunded, tickets, cents, pending) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), Convert.ToInt64(reader.GetValue(3)),
            reader.GetInt64(4));
        return TypedResults.Ok(new CancellationProgress(eventId, sale.Status, bookings, refunded, tickets, cents, pending,
            sale.IsCancelled && refunded == bookings && pending == 0));
    }
}
