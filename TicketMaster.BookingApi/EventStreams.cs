using System.IO.Pipelines;

namespace TicketMaster.BookingApi;

public static class EventStreams
{
    /// <summary>The headers of a server-sent event stream (the seat stream, the waiting-room position stream).</summary>
    public static void StartEventStream(this HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // proxies must not buffer a stream
    }

    /// <summary>Sends what was written to a stream → false when the client no longer reads it.</summary>
    public static async Task<bool> SendAsync(this PipeWriter output, CancellationToken cancellationToken)
    {
        var flushed = await output.FlushAsync(cancellationToken);
        return !flushed.IsCompleted && !flushed.IsCanceled;
    }
}
