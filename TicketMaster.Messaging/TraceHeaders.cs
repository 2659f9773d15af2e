using System.Diagnostics;
using System.Text;

namespace TicketMaster.Messaging;

// W3C trace context in AMQP headers, so the consumer's span joins the producer's trace.
public static class TraceHeaders
{
    public static Dictionary<string, object?> From(Activity? activity, string? fallbackParent, string? fallbackState)
    {
        var headers = new Dictionary<string, object?>();
        var traceParent = activity?.Id ?? fallbackParent;
        var traceState = activity?.TraceStateString ?? fallbackState;
        if (traceParent is not null)
        {
            headers["traceparent"] = traceParent;
        }
        if (traceState is not null)
        {
            headers["tracestate"] = traceState;
        }
        return headers;
    }

    public static ActivityContext Extract(IDictionary<string, object?>? headers)
    {
        var traceParent = Read(headers, "traceparent");
        ActivityContext.TryParse(traceParent, Read(headers, "tracestate"), out var context);
        return context;
    }

    private static string? Read(IDictionary<string, object?>? headers, string key) =>
        headers is not null && headers.TryGetValue(key, out var value)
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), string text => text, _ => null }
            : null;
}
