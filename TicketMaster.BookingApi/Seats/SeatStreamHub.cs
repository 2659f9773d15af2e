using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;

namespace TicketMaster.BookingApi.Seats;

/// <summary>One open seat stream: the frames published after it joined, until it leaves or falls too far behind.</summary>
public sealed class SeatStreamListener
{
    // A client this far behind is cut off; it reconnects with Last-Event-ID and catches up from the seat log.
    private const int Backlog = 1_000;

    private readonly Channel<SeatFrame> _frames = Channel.CreateBounded<SeatFrame>(
        new BoundedChannelOptions(Backlog) { SingleReader = true, SingleWriter = false });

    public ChannelReader<SeatFrame> Frames => _frames.Reader;

    internal void Deliver(SeatFrame frame)
    {
        if (!_frames.Writer.TryWrite(frame))
        {
            _frames.Writer.TryComplete();
        }
    }
}

/// <summary>An SSE frame ready to write, shared by every client of the event.</summary>
public sealed record SeatFrame(StreamPosition Position, string Text)
{
    private byte[]? _utf8;

    /// <summary>The frame's bytes, encoded once for every client.</summary>
    public ReadOnlyMemory<byte> Utf8 => _utf8 ??= System.Text.Encoding.UTF8.GetBytes(Text);

    /// <summary>The comment the hub sends every open stream each Booking:SeatStreamHeartbeat, so proxies keep it open.</summary>
    public static readonly SeatFrame Heartbeat = new(StreamPosition.Start, ": heartbeat\n\n");

    public static SeatFrame Delta(string id, string type, long eventId, string seatIdsCsv) =>
        From(id, type, $$"""{"id":"{{id}}","type":"{{type}}","event_id":{{eventId}},"seat_ids":[{{seatIdsCsv}}]}""");

    public static SeatFrame From(string id, string type, string json) =>
        new(StreamPosition.Parse(id), $"id: {id}\nevent: {type}\ndata: {json}\n\n");
}

// DESIGN §5: one Redis subscription per event per process, fanned out to every SSE client of that event here.
// The subscription is a ChannelMessageQueue, which hands messages over one at a time in publish order: the stream
// drops frames at or below the last position it sent, so out-of-order delivery (the Action-handler overload may run
// handlers concurrently) would silently lose changes. The subscription is dropped when the event's last client leaves.
public sealed class SeatStreamHub(IConnectionMultiplexer redis, IOptions<BookingOptions> options, ILogger<SeatStreamHub> logger) : IDisposable
{
    private Timer? _heartbeat;

    private sealed class Topic
    {
        public volatile SeatStreamListener[] Listeners = [];
        public required Task<ChannelMessageQueue> Subscription;
    }

    private readonly Dictionary<long, Topic> _topics = [];

    /// <summary>Open seat streams in this process.</summary>
    public int Clients { get { lock (_topics) { return _topics.Values.Sum(t => t.Listeners.Length); } } }

    /// <summary>Joins the event's stream; once this returns, every later change reaches the listener.</summary>
    public async Task<SeatStreamListener> JoinAsync(long eventId)
    {
        // One timer for every stream of the process (a timer per client cost each a few hundred bytes).
        if (_heartbeat is null)
        {
            var timer = new Timer(_ => Beat(), null, options.Value.SeatStreamHeartbeat, options.Value.SeatStreamHeartbeat);
            if (Interlocked.CompareExchange(ref _heartbeat, timer, null) is not null)
            {
                timer.Dispose();
            }
        }
        var listener = new SeatStreamListener();
        Task subscribed;
        lock (_topics)
        {
            if (!_topics.TryGetValue(eventId, out var topic))
            {
                _topics[eventId] = topic = new Topic { Subscription = SubscribeAsync(eventId) };
                var created = topic;
                topic.Subscription.ContinueWith(t => t.Result.OnMessage(message => Publish(created, message.Message)),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            topic.Listeners = [.. topic.Listeners, listener];
            subscribed = topic.Subscription;
        }
        try
        {
            await subscribed;
        }
        catch
        {
            // Redis refused: forget the failed subscription so that the next client tries again.
            lock (_topics)
            {
                if (_topics.TryGetValue(eventId, out var failed) && failed.Subscription == subscribed)
                {
                    _topics.Remove(eventId);
                }
            }
            throw;
        }
        return listener;
    }

    public void Leave(long eventId, SeatStreamListener listener)
    {
        lock (_topics)
        {
            if (!_topics.TryGetValue(eventId, out var topic))
            {
                return;
            }
            topic.Listeners = topic.Listeners.Where(l => l != listener).ToArray();
            if (topic.Listeners.Length == 0)
            {
                _topics.Remove(eventId);
                // Ends only this topic's queue: a new topic for the event may already have subscribed again.
                _ = topic.Subscription.ContinueWith(t => t.Result.UnsubscribeAsync(), CancellationToken.None,
                    TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
        }
    }

    // A stream that had a change within the last beat gets one more heartbeat than it needs: harmless, and simpler than
    // tracking each stream's last write.
    private void Beat()
    {
        Topic[] topics;
        lock (_topics)
        {
            topics = [.. _topics.Values];
        }
        foreach (var topic in topics)
        {
            foreach (var listener in topic.Listeners)
            {
                listener.Deliver(SeatFrame.Heartbeat);
            }
        }
    }

    public void Dispose() => _heartbeat?.Dispose();

    private Task<ChannelMessageQueue> SubscribeAsync(long eventId) => redis.GetSubscriber().SubscribeAsync(HoldKeys.SeatChannel(eventId));

    private void Publish(Topic topic, RedisValue message)
    {
        SeatFrame frame;
        try
        {
            var json = (string)message!;
            using var document = JsonDocument.Parse(json);
            frame = SeatFrame.From(document.RootElement.GetProperty("id").GetString()!, document.RootElement.GetProperty("type").GetString()!, json);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Ignoring a malformed seat announcement");
            return;
        }
        foreach (var listener in topic.Listeners)
        {
            listener.Deliver(frame);
        }
    }
}
