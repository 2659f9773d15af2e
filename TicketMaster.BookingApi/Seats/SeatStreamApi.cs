using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Seats;

// GET /v1/booking/events/{event_id}/seats/stream (DESIGN §5): a snapshot, then held/released/expired/sold deltas,
// heartbeats, resumable with Last-Event-ID (the ids are seat-log entry ids, the same on every replica).
public static class SeatStreamApi
{
    // Beyond this many missed changes a fresh snapshot is cheaper than the replay.
    private const int MaxReplay = 5_000;

    // One snapshot frame per cached seat map (SeatMapCache keeps each a second), shared by every client opening meanwhile.
    private static readonly ConditionalWeakTable<SeatMapSnapshot, SeatFrame> SnapshotFrames = new();

    public static IEndpointRouteBuilder MapSeatStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/booking/events/{eventId:long}/seats/stream", StreamAsync).WithTags("Seats").RequireRateLimit(RateLimitKind.Streams)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<IResult> StreamAsync(long eventId, HttpContext http, SeatMapCache seatMaps, SeatStreamHub hub,
        IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var found = await ServeAsync(eventId, http.Request.Headers["Last-Event-ID"], http.Response.BodyWriter, http.Response.StartEventStream,
            seatMaps, hub, redis, cancellationToken);
        return found ? Results.Empty : Problems.EventNotFound(eventId);
    }

    /// <summary>
    /// Serves one stream until the client goes away or falls too far behind → false, having written nothing, when
    /// there is no such event. <paramref name="start"/> sends the response's head just before the first frame.
    /// </summary>
    public static async Task<bool> ServeAsync(long eventId, string? lastEventId, PipeWriter output, Action start, SeatMapCache seatMaps,
        SeatStreamHub hub, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        // Join before reading the snapshot or the log, so that no change falls between them and the live feed.
        var listener = await hub.JoinAsync(eventId);
        try
        {
            // The opening is written by a method of its own: an idle client keeps nothing of it (this method's locals
            // live as long as the stream, and a snapshot of a big sale is large).
            if (await OpenAsync(eventId, lastEventId, output, start, seatMaps, redis, cancellationToken) is not { } sent)
            {
                return false;
            }
            await RelayAsync(output, listener, sent, cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return true; // the client went away
        }
        finally
        {
            hub.Leave(eventId, listener);
        }
    }

    /// <summary>Starts the stream with the snapshot (or the replay) → the position it reflects; null when there is no such event.</summary>
    private static async Task<StreamPosition?> OpenAsync(long eventId, string? lastEventId, PipeWriter output, Action start,
        SeatMapCache seatMaps, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var snapshot = await seatMaps.GetAsync(eventId, cancellationToken);
        if (snapshot is null)
        {
            return null;
        }
        var db = redis.GetDatabase();
        var opening = StreamPosition.TryParse(lastEventId, out var resumeFrom) ? await ReplayAsync(db, eventId, resumeFrom) : null;
        if (opening is null)
        {
            // The snapshot may be up to a second old, older than this client's subscription: the changes since
            // it come from the log (the live feed skips what the log already gave, by position).
            opening = [SnapshotFrames.GetValue(snapshot, SnapshotFrame), .. await ReadLogAsync(db, eventId, snapshot.LogPosition) ?? []];
        }
        else if (opening.Count == 0)
        {
            opening = [new SeatFrame(resumeFrom, $"id: {resumeFrom}\nevent: resumed\ndata: {{}}\n\n")]; // nothing missed
        }

        start();
        await WriteAsync(output, opening, cancellationToken);
        return opening[^1].Position;
    }

    // No timer of its own: the hub sends every open stream the same heartbeat frame (SeatStreamHub), so an idle
    // client costs one pending channel read.
    private static async Task RelayAsync(PipeWriter output, SeatStreamListener listener, StreamPosition sent, CancellationToken cancellationToken)
    {
        var batch = new List<SeatFrame>();
        while (await listener.Frames.WaitToReadAsync(cancellationToken))
        {
            batch.Clear();
            while (listener.Frames.TryRead(out var frame))
            {
                // Changes already in the snapshot or replay (or delivered twice) are skipped by position.
                if (frame == SeatFrame.Heartbeat)
                {
                    batch.Add(frame);
                }
                else if (frame.Position > sent)
                {
                    batch.Add(frame);
                    sent = frame.Position;
                }
            }
            if (!await WriteAsync(output, batch, cancellationToken))
            {
                return; // the client is gone
            }
        }
        // Fell too far behind: the client resumes from the log with Last-Event-ID.
    }

    /// <summary>Writes and flushes the frames → false when the client no longer reads.</summary>
    private static async Task<bool> WriteAsync(PipeWriter output, IReadOnlyList<SeatFrame> frames, CancellationToken cancellationToken)
    {
        foreach (var frame in frames)
        {
            output.Write(frame.Utf8.Span);
        }
        return await output.SendAsync(cancellationToken);
    }

    /// <summary>The changes after <paramref name="resumeFrom"/>, or null when a snapshot is the better start.</summary>
    private static async Task<List<SeatFrame>?> ReplayAsync(IDatabase db, long eventId, StreamPosition resumeFrom) =>
        await ReadLogAsync(db, eventId, resumeFrom) is { Count: <= MaxReplay } frames ? frames : null;

    /// <summary>The logged changes after <paramref name="from"/> (at most MaxReplay + 1), or null when the log no longer has them all.</summary>
    private static async Task<List<SeatFrame>?> ReadLogAsync(IDatabase db, long eventId, StreamPosition from)
    {
        var log = HoldKeys.SeatLog(eventId);
        // The log covers the position when it starts at or before it, or when it was never trimmed.
        var first = await db.StreamRangeAsync(log, "-", "+", count: 1);
        var covered = first.Length > 0 && StreamPosition.Parse(first[0].Id!) <= from
            || await db.StreamLengthAsync(log) < HoldScripts.SeatLogLength;
        if (!covered)
        {
            return null;
        }
        var entries = await db.StreamRangeAsync(log, $"({from}", "+", count: MaxReplay + 1);
        return entries.Select(e => SeatFrame.Delta(e.Id!, (string)e["type"]!, eventId, (string)e["seats"]!)).ToList();
    }

    private static SeatFrame SnapshotFrame(SeatMapSnapshot snapshot)
    {
        // Only seats that are not available: every other seat is, and a 50,000-seat map stays small early in a sale.
        var json = new StringBuilder($$"""{"event_id":{{snapshot.Map.EventId}},"held":[""");
        json.AppendJoin(',', snapshot.Map.Seats.Where(s => s.Status == "held").Select(s => s.SeatId));
        json.Append("],\"sold\":[");
        json.AppendJoin(',', snapshot.Map.Seats.Where(s => s.Status == "sold").Select(s => s.SeatId));
        json.Append("]}");
        var id = snapshot.LogPosition.ToString();
        return new SeatFrame(snapshot.LogPosition, $"id: {id}\nevent: snapshot\ndata: {json}\n\n");
    }
}
