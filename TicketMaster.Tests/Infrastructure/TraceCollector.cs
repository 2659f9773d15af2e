using System.Collections.Concurrent;
using System.Net;

namespace TicketMaster.Tests.Infrastructure;

/// <summary>
/// Receives the services' spans (OTLP over HTTP, protobuf) the way the dashboard does, so tests can see what an
/// operator would: which traces each service records, and whether one trace crosses services.
/// </summary>
public sealed class TraceCollector : LocalServer
{
    public sealed record Span(string Service, string Scope, string Name, string TraceId, bool IsRoot, DateTimeOffset ReceivedAt);

    public ConcurrentQueue<Span> Spans { get; } = new();

    protected override async Task RespondAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        if (context.Request.Url?.AbsolutePath == "/v1/traces")
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var span in Read(body.ToArray(), now))
            {
                Spans.Enqueue(span);
            }
        }
        context.Response.StatusCode = 200;
        context.Response.Close();
    }

    // ExportTraceServiceRequest { 1: ResourceSpans { 1: Resource { 1: KeyValue { 1: key, 2: AnyValue { 1: string } } },
    //   2: ScopeSpans { 1: InstrumentationScope { 1: name }, 2: Span { 1: trace_id, 2: span_id, 4: parent_span_id, 5: name } } } }
    private static IEnumerable<Span> Read(byte[] request, DateTimeOffset receivedAt)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            var service = Fields(resourceSpans, 1).SelectMany(resource => Fields(resource, 1))
                .Where(attribute => Text(Fields(attribute, 1).FirstOrDefault()) == "service.name")
                .Select(attribute => Text(Fields(attribute, 2).SelectMany(value => Fields(value, 1)).FirstOrDefault()))
                .FirstOrDefault() ?? "";
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                var scope = Text(Fields(scopeSpans, 1).SelectMany(s => Fields(s, 1)).FirstOrDefault());
                foreach (var span in Fields(scopeSpans, 2))
                {
                    var parent = Fields(span, 4).FirstOrDefault();
                    yield return new Span(service, scope, Text(Fields(span, 5).FirstOrDefault()), Convert.ToHexString(Fields(span, 1).First()),
                        parent is null || parent.Length == 0, receivedAt);
                }
            }
        }
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>The length-delimited values of <paramref name="field"/> in one protobuf message.</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var values = new List<byte[]>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            switch (tag & 7)
            {
                case 0: Varint(message, ref position); break;
                case 1: position += 8; break;
                case 5: position += 4; break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    if ((int)(tag >> 3) == field)
                    {
                        values.Add(message[position..(position + length)]);
                    }
                    position += length;
                    break;
                default: throw new InvalidDataException($"protobuf wire type {tag & 7}");
            }
        }
        return values;
    }

    private static ulong Varint(byte[] bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
