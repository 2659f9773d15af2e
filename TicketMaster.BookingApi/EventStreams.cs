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
}
