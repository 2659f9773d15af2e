using System.Text;

namespace TicketMaster.Onsale;

/// <summary>One server-sent event: its id, event type and data (comments such as heartbeats come as type ":").</summary>
public sealed record SseEvent(string? Id, string Type, string Data);

/// <summary>A minimal text/event-stream reader (the benchmark's and the tests' SSE client).</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Opens the stream; a non-2xx answer is returned as is (read it from <see cref="Response"/>).</summary>
    public static async Task<SseReader> OpenAsync(HttpClient http, string path, string? lastEventId = null, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        // An error answer stays unread, for the caller to read as a whole.
        return new SseReader(response, response.IsSuccessStatusCode ? await response.Content.ReadAsStreamAsync(cancellationToken) : Stream.Null);
    }

    /// <summary>The next event, or null when the server closed the stream.</summary>
    public async Task<SseEvent?> NextAsync(CancellationToken cancellationToken = default)
    {
        string? id = null, type = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (type is not null || data.Length > 0)
                {
                    return new SseEvent(id, type ?? "message", data.ToString());
                }
                continue;
            }
            if (line[0] == ':')
            {
                return new SseEvent(null, ":", line[1..].Trim());
            }
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }
        return null;
    }

    /// <summary>The next event that is not a comment, within <paramref name="timeout"/>.</summary>
    public async Task<SseEvent> NextEventAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            var next = await NextAsync(cancel.Token) ?? throw new EndOfStreamException("the server closed the stream");
            if (next.Type != ":")
            {
                return next;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
