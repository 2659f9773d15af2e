using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.ServiceDefaults.Http;

using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.WaitingRoom;

namespace TicketMaster.BookingApi;

// In a hot sale most open connections are fans' streams (the seat map, the waiting room), idle for minutes between
// changes. Served through the request pipeline each keeps Kestrel's HTTP/1.1 connection state, an HttpContext, the
// middleware chain's awaits and a trace activity (~16 KB). A connection whose first request is a stream is therefore
// served here, in front of Kestrel's HTTP handling: its head is read (bounded), the same stream limits are taken, and
// the same frames are written straight to the transport, the response delimited by closing the connection. Anything
// else, or a stream asked for on a connection that carried other requests first, goes through the pipeline
// (SeatStreamApi, WaitingRoomApi) unchanged.
public sealed class EventStreamConnections(ConnectionDelegate next, IServiceProvider services)
{
    // A stream request's head is a request line and a few headers; a longer one goes to Kestrel, which has its limits.
    private const int MaxHead = 8 * 1024;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    private static ReadOnlySpan<byte> Prefix => "GET /v1/booking/events/"u8;
    private const string Events = "/v1/booking/events/";
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    private static readonly byte[] StreamHead = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n");

    private readonly SeatMapCache _seatMaps = services.GetRequiredService<SeatMapCache>();
    private readonly SeatStreamHub _hub = services.GetRequiredService<SeatStreamHub>();
    private readonly IConnectionMultiplexer _redis = services.GetRequiredService<IConnectionMultiplexer>();
    private readonly SeatCatalog _catalog = services.GetRequiredService<SeatCatalog>();
    private readonly WaitingRoomStore _rooms = services.GetRequiredService<WaitingRoomStore>();
    private readonly QueueStreamHub _queues = services.GetRequiredService<QueueStreamHub>();
    private readonly RateLimits.StreamLimits _limits = services.GetRequiredService<RateLimits.StreamLimits>();
    private readonly ForwardedHeadersOptions _proxies = services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
    private readonly ILogger _logger = services.GetRequiredService<ILogger<EventStreamConnections>>();

    /// <summary>Puts the stream connections in front of every endpoint's HTTP handling.</summary>
    public static void AddTo(KestrelServerOptions kestrel) =>
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => new EventStreamConnections(next, listen.ApplicationServices).OnConnectedAsync));

    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        if (await ReadHeadAsync(connection) is not { } request)
        {
            await next(connection);
            return;
        }
        await ServeAsync(connection, request);
    }

    /// <summary>The first request's head when it asks for a stream (consumed), or null with nothing consumed.</summary>
    private static async Task<StreamRequest?> ReadHeadAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(HeadTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return null; // Kestrel applies its own header timeout to whatever comes
            }
            var buffer = result.Buffer;
            var (verdict, request, headLength) = StreamRequest.Parse(buffer);
            if (verdict == Verdict.NeedMore && !result.IsCompleted && buffer.Length < MaxHead)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            if (verdict != Verdict.Stream)
            {
                input.AdvanceTo(buffer.Start); // all of it is read again by Kestrel
                return null;
            }
            input.AdvanceTo(buffer.GetPosition(headLength));
            return request;
        }
    }

    private async Task ServeAsync(ConnectionContext connection, StreamRequest request)
    {
        var output = connection.Transport.Output;
        var started = false;
        using var lease = _limits.TryOpen(ClientAddress(connection, request.ForwardedFor));
        try
        {
            if (lease is null)
            {
                await WriteProblemAsync(output, RateLimits.TooManyRequests(1).ProblemDetails, "Retry-After: 1\r\n");
                return;
            }
            void Start()
            {
                output.Write(StreamHead);
                started = true;
            }
            var problem = request.QueueId is { } queueId
                ? await WaitingRoomApi.ServeStreamAsync(request.EventId, queueId, output, Start, _catalog, _rooms, _queues, connection.ConnectionClosed)
                : await SeatStreamApi.ServeAsync(request.EventId, request.LastEventId, output, Start, _seatMaps, _hub, _redis, connection.ConnectionClosed)
                    ? null : Problems.EventNotFound(request.EventId);
            if (problem is not null)
            {
                await WriteProblemAsync(output, problem.ProblemDetails);
            }
        }
        catch (Exception ex) when (!started && ex is not OperationCanceledException)
        {
            // The pipeline's exception handler answers 503 for an absent dependency; here the same answer, and nothing is lost.
            _logger.LogWarning(ex, "A stream for event {EventId} could not start", request.EventId);
            await WriteProblemAsync(output, TypedResults.Problem(DependencyUnavailableHandler.Problem()).ProblemDetails, "Retry-After: 1\r\n");
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionResetException or IOException)
        {
            // the client went away
        }
        finally
        {
            await output.CompleteAsync();
        }
    }

    // The same address the pipeline's limiter counts: X-Forwarded-For's last entry when the peer is a trusted proxy.
    private string ClientAddress(ConnectionContext connection, string? forwardedFor)
    {
        var peer = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (peer is null)
        {
            return "unknown";
        }
        peer = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        var trusted = _proxies.KnownProxies.Contains(peer) || _proxies.KnownIPNetworks.Any(network => network.Contains(peer));
        var claimed = forwardedFor?.Split(',').LastOrDefault()?.Trim();
        return trusted && IPAddress.TryParse(claimed, out var client) ? client.ToString() : peer.ToString();
    }

    private static async Task WriteProblemAsync(PipeWriter output, Microsoft.AspNetCore.Mvc.ProblemDetails problem, string extraHeaders = "")
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(problem);
        output.Write(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {problem.Status} {ReasonPhrases.GetReasonPhrase(problem.Status ?? 500)}\r\nContent-Type: application/problem+json\r\n" +
            $"Content-Length: {body.Length}\r\n{extraHeaders}Connection: close\r\n\r\n"));
        output.Write(body);
        await output.FlushAsync();
    }

    private enum Verdict { NeedMore, Stream, Other }

    private sealed record StreamRequest(long EventId, string? QueueId, string? LastEventId, string? ForwardedFor)
    {
        /// <summary>Whether the bytes so far are a stream's GET (and how long its head is), or cannot be one.</summary>
        public static (Verdict, StreamRequest?, long HeadLength) Parse(ReadOnlySequence<byte> buffer)
        {
            var reader = new SequenceReader<byte>(buffer);
            var prefix = (int)Math.Min(buffer.Length, Prefix.Length);
            Span<byte> start = stackalloc byte[Prefix.Length];
            buffer.Slice(0, prefix).CopyTo(start);
            if (!start[..prefix].SequenceEqual(Prefix[..prefix]))
            {
                return (Verdict.Other, null, 0);
            }
            if (!reader.TryReadTo(out ReadOnlySequence<byte> head, EndOfHead))
            {
                return (Verdict.NeedMore, null, 0);
            }
            var lines = Encoding.ASCII.GetString(head).Split("\r\n");
            var parts = lines[0].Split(' ');
            if (parts is not [_, var target, "HTTP/1.1"])
            {
                return (Verdict.Other, null, 0);
            }
            // {event_id}/seats/stream or {event_id}/queue/{queue_id}/stream; the pipeline's routing has anything else.
            var route = target.Split('?')[0][Events.Length..].Split('/');
            if (!long.TryParse(route[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var eventId)
                || route[1..] is not (["seats", "stream"] or ["queue", _, "stream"]))
            {
                return (Verdict.Other, null, 0);
            }
            var queueId = route.Length == 4 ? route[2] : null;
            if (queueId is not null && (queueId.Length > 64 || !queueId.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
            {
                return (Verdict.Other, null, 0);
            }
            string? lastEventId = null, forwardedFor = null;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    return (Verdict.Other, null, 0);
                }
                var name = line[..colon];
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Last-Event-ID", StringComparison.OrdinalIgnoreCase))
                {
                    lastEventId = value;
                }
                else if (name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase))
                {
                    forwardedFor = value;
                }
                // A GET with a body, or an upgrade, is not a plain stream request: Kestrel decides what it is.
                else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && value != "0"
                    || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
                {
                    return (Verdict.Other, null, 0);
                }
            }
            return (Verdict.Stream, new StreamRequest(eventId, queueId, lastEventId, forwardedFor), reader.Consumed);
        }
    }
}
