using System.Buffers;
using System.IO.Pipelines;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TicketMaster.BookingApi.Seats;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.WaitingRoom;

/// <summary>A fixed rate (admissions_per_second), or the bounds the adaptive rate keeps within (min and max per second).</summary>
public sealed record AdmissionRateRequest(double? AdmissionsPerSecond, double? MinPerSecond = null, double? MaxPerSecond = null);

// DESIGN §5/§6. Joining needs a signed-in fan; the queue id it returns is an unguessable capability, so reading a
// position (or following it over SSE, where browsers cannot send an Authorization header) needs nothing else.
public static class WaitingRoomApi
{
    private const double MaxRate = 100_000;

    public static IEndpointRouteBuilder MapWaitingRoomApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/booking/events/{eventId:long}/queue").WithTags("Waiting room");
        api.MapPost("", JoinAsync).RequireAuthorization().RequireRateLimit(RateLimitKind.Writes);
        api.MapGet("", InfoAsync).RequireRateLimit(RateLimitKind.Polling);
        api.MapPut("/admission", SetRateAsync).RequireAuthorization(Roles.Organizer);
        api.MapGet("/admission", AdmissionAsync).RequireAuthorization(Roles.Organizer);
        api.MapGet("/{queueId}", StatusAsync).RequireRateLimit(RateLimitKind.Polling);
        api.MapGet("/{queueId}/stream", StreamAsync).RequireRateLimit(RateLimitKind.Streams)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<QueueStatus>, Ok<QueueStatus>, ProblemHttpResult>> JoinAsync(
        long eventId, ClaimsPrincipal user, SeatCatalog catalog, WaitingRoomStore rooms, CancellationToken cancellationToken)
    {
        var (sale, problem) = await RoomOfAsync(eventId, catalog, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var (queueId, joined) = await rooms.JoinAsync(eventId, user.UserId(), sale!);
        var status = (await rooms.StatusAsync(queueId, sale!, eventId))!;
        var location = $"/v1/booking/events/{eventId}/queue/{queueId}";
        return joined ? TypedResults.Created(location, status) : TypedResults.Ok(status);
    }

    public static async Task<Results<Ok<QueueInfo>, ProblemHttpResult>> InfoAsync(
        long eventId, SeatCatalog catalog, WaitingRoomStore rooms, CancellationToken cancellationToken)
    {
        var (sale, problem) = await RoomOfAsync(eventId, catalog, cancellationToken);
        return problem ?? (Results<Ok<QueueInfo>, ProblemHttpResult>)TypedResults.Ok(await rooms.InfoAsync(eventId, sale!));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SetRateAsync(
        long eventId, AdmissionRateRequest request, ClaimsPrincipal user, SeatCatalog catalog, WaitingRoomStore rooms, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        AdmissionLimits? limits = null;
        if (request.AdmissionsPerSecond is { } fixedRate)
        {
            if (fixedRate is not (> 0 and <= MaxRate))
            {
                errors.Add("admissions_per_second", $"must be greater than 0 and at most {MaxRate}");
            }
            if (request.MinPerSecond is not null || request.MaxPerSecond is not null)
            {
                errors.Add("admissions_per_second", "a fixed rate, or min_per_second and max_per_second: not both");
            }
            limits = new AdmissionLimits(fixedRate, fixedRate);
        }
        else if (request is { MinPerSecond: { } min, MaxPerSecond: { } max })
        {
            if (min is not (> 0 and <= MaxRate) || max is not (> 0 and <= MaxRate) || min > max)
            {
                errors.Add("min_per_second", $"min_per_second and max_per_second must be greater than 0, at most {MaxRate}, min not above max");
            }
            limits = new AdmissionLimits(min, max);
        }
        else
        {
            errors.Add("admissions_per_second", "admissions_per_second, or min_per_second and max_per_second, are required");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        // Only the event's owner (or an admin) sets its pace; anyone else is told there is no such event.
        if (await catalog.GetSaleAsync(eventId, [], cancellationToken) is not { } owned || !user.CanManage(owned.OwnerId))
        {
            return Problems.EventNotFound(eventId);
        }
        var (_, problem) = await RoomOfAsync(eventId, catalog, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        await rooms.SetLimitsAsync(eventId, owned, limits!);
        return TypedResults.NoContent();
    }

    /// <summary>The rate the room admits at now and why (the owner's and admins'); before the first decision, the bounds.</summary>
    public static async Task<Results<Ok<AdmissionStatus>, ProblemHttpResult>> AdmissionAsync(
        long eventId, ClaimsPrincipal user, SeatCatalog catalog, WaitingRoomStore rooms, IOptions<WaitingRoomOptions> options,
        CancellationToken cancellationToken)
    {
        if (await catalog.GetSaleAsync(eventId, [], cancellationToken) is not { } owned || !user.CanManage(owned.OwnerId))
        {
            return Problems.EventNotFound(eventId);
        }
        var (_, problem) = await RoomOfAsync(eventId, catalog, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (await rooms.DecisionAsync(eventId) is { } decided)
        {
            return TypedResults.Ok(decided);
        }
        var limits = await rooms.LimitsAsync(eventId);
        return TypedResults.Ok(new AdmissionStatus(eventId, 0, "not_started", "the sale has not opened or nobody is waiting", limits.Min, limits.Max,
            0, 0, null, options.Value.LatencyObjective.TotalMilliseconds, DateTimeOffset.UtcNow));
    }

    public static async Task<Results<Ok<QueueStatus>, ProblemHttpResult>> StatusAsync(
        long eventId, string queueId, SeatCatalog catalog, WaitingRoomStore rooms, CancellationToken cancellationToken)
    {
        var (status, problem) = await FindAsync(eventId, queueId, catalog, rooms, cancellationToken);
        return problem ?? (Results<Ok<QueueStatus>, ProblemHttpResult>)TypedResults.Ok(status!);
    }

    // Position updates until the fan is let in (the pass), the pass lapsed, or the event sold out; then it ends.
    public static async Task<IResult> StreamAsync(long eventId, string queueId, HttpContext http, SeatCatalog catalog, WaitingRoomStore rooms,
        QueueStreamHub hub, CancellationToken cancellationToken) =>
        await ServeStreamAsync(eventId, queueId, http.Response.BodyWriter, http.Response.StartEventStream, catalog, rooms, hub, cancellationToken)
            ?? Results.Empty;

    /// <summary>
    /// Serves one position stream until the wait ends or the client goes → null, or the problem (nothing written)
    /// when there is no such place. <paramref name="start"/> sends the response's head just before the first frame.
    /// </summary>
    public static async Task<ProblemHttpResult?> ServeStreamAsync(long eventId, string queueId, PipeWriter output, Action start, SeatCatalog catalog,
        WaitingRoomStore rooms, QueueStreamHub hub, CancellationToken cancellationToken)
    {
        var (status, problem) = await FindAsync(eventId, queueId, catalog, rooms, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        start();
        try
        {
            Write(output, QueueStreamHub.FrameOf(status!));
            if (!await output.SendAsync(cancellationToken) || status!.Status != QueueStates.Waiting || await rooms.PlaceAsync(queueId, eventId) is not { } place)
            {
                return null;
            }
            var listener = hub.Join(eventId, queueId, place, status);
            try
            {
                while (await listener.Frames.WaitToReadAsync(cancellationToken))
                {
                    while (listener.Frames.TryRead(out var frame))
                    {
                        Write(output, frame);
                    }
                    if (!await output.SendAsync(cancellationToken))
                    {
                        return null; // the client is gone
                    }
                }
            }
            finally
            {
                hub.Leave(eventId, listener);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the client went away
        }
        return null;
    }

    private static void Write(PipeWriter output, string frame) => output.Write(System.Text.Encoding.UTF8.GetBytes(frame));

    private static async Task<(QueueStatus? Status, ProblemHttpResult? Problem)> FindAsync(
        long eventId, string queueId, SeatCatalog catalog, WaitingRoomStore rooms, CancellationToken cancellationToken)
    {
        var notFound = Problems.NotFound("Queue place not found", "There is no such place in this event's waiting room.");
        if (!WaitingRoomStore.TryParseEventId(queueId, out var queueEvent) || queueEvent != eventId)
        {
            return (null, notFound);
        }
        var (sale, problem) = await RoomOfAsync(eventId, catalog, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }
        var status = await rooms.StatusAsync(queueId, sale!, eventId);
        return status is null ? (null, notFound) : (status, null);
    }

    private static async Task<(EventSale? Sale, ProblemHttpResult? Problem)> RoomOfAsync(long eventId, SeatCatalog catalog, CancellationToken cancellationToken)
    {
        var sale = await catalog.GetSaleAsync(eventId, [], cancellationToken);
        if (sale is null)
        {
            return (null, Problems.EventNotFound(eventId));
        }
        if (!sale.WaitingRoom)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No waiting room",
                detail: $"Event {eventId} has no waiting room: reserve seats directly."));
        }
        var status = sale.StatusAt(DateTimeOffset.UtcNow);
        return status != EventStatuses.Scheduled ? (null, Problems.NotSelling(eventId, status)) : (sale, null);
    }
}
