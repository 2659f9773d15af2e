using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using TicketMaster.BookingApi.Seats;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.WaitingRoom;

/// <summary>One open waiting-room stream: its place and the frames the hub has for it, until its wait ends.</summary>
public sealed class QueueStreamListener(string queueId, (string UserId, long Rank) place, QueueStatus sent)
{
    // Position frames come at most once per update interval: a client this far behind is cut off and reconnects.
    private const int Backlog = 16;

    private readonly Channel<string> _frames = Channel.CreateBounded<string>(new BoundedChannelOptions(Backlog) { SingleReader = true, SingleWriter = true });

    public string QueueId { get; } = queueId;
    public (string UserId, long Rank) Place { get; set; } = place;
    public (string Status, long Position) Sent { get; set; } = (sent.Status, sent.Position);
    public ChannelReader<string> Frames => _frames.Reader;

    internal void Deliver(string frame, bool last = false)
    {
        if (!_frames.Writer.TryWrite(frame) || last)
        {
            _frames.Writer.TryComplete();
        }
    }

    internal void End() => _frames.Writer.TryComplete();
}

// DESIGN §5: every waiting fan follows a position that only the room's shared counters move. One loop per event per
// process reads them (cached a quarter second in WaitingRoomStore) and tells each open stream what changed: its pass,
// the sale selling out or a lapse at once, its position and a heartbeat once per Booking:WaitingRoom:PositionUpdateInterval.
// A stream itself only waits on its channel (no timer or Redis read per client).
public sealed class QueueStreamHub(SeatCatalog catalog, WaitingRoomStore rooms, IOptions<WaitingRoomOptions> options,
    IHostApplicationLifetime lifetime, ILogger<QueueStreamHub> logger)
{
    private const string Heartbeat = ": waiting\n\n";
    private static readonly TimeSpan FastTick = TimeSpan.FromMilliseconds(250);

    // Admitted fans' passes are issued concurrently, this many at a time (each is one Redis script).
    private const int Concurrency = 256;

    private sealed class Topic
    {
        public QueueStreamListener[] Listeners = [];
    }

    private readonly Dictionary<long, Topic> _topics = [];

    /// <summary>Open waiting-room streams in this process.</summary>
    public int Clients { get { lock (_topics) { return _topics.Values.Sum(t => t.Listeners.Length); } } }

    public static string FrameOf(QueueStatus status)
    {
        var type = status.Status == QueueStates.Admitted ? "pass" : status.Status == QueueStates.Waiting ? "position" : status.Status;
        return $"event: {type}\ndata: {JsonSerializer.Serialize(status, TicketMasterJson.Options)}\n\n";
    }

    public QueueStreamListener Join(long eventId, string queueId, (string UserId, long Rank) place, QueueStatus sent)
    {
        var listener = new QueueStreamListener(queueId, place, sent);
        lock (_topics)
        {
            if (!_topics.TryGetValue(eventId, out var topic))
            {
                _topics[eventId] = topic = new Topic();
                _ = Task.Run(() => RunAsync(eventId, topic));
            }
            topic.Listeners = [.. topic.Listeners, listener];
        }
        return listener;
    }

    public void Leave(long eventId, QueueStreamListener listener)
    {
        lock (_topics)
        {
            if (_topics.TryGetValue(eventId, out var topic))
            {
                topic.Listeners = topic.Listeners.Where(l => l != listener).ToArray();
            }
        }
        listener.End();
    }

    private async Task RunAsync(long eventId, Topic topic)
    {
        var slow = options.Value.PositionUpdateInterval;
        var tick = slow < FastTick ? slow : FastTick;
        using var timer = new PeriodicTimer(tick);
        var nextSlow = DateTimeOffset.UtcNow + slow;
        try
        {
            while (await timer.WaitForNextTickAsync(lifetime.ApplicationStopping))
            {
                QueueStreamListener[] listeners;
                lock (_topics)
                {
                    listeners = topic.Listeners;
                    if (listeners.Length == 0)
                    {
                        _topics.Remove(eventId); // a later stream starts a new topic and loop
                        return;
                    }
                }
                var now = DateTimeOffset.UtcNow;
                var isSlow = now >= nextSlow;
                if (isSlow)
                {
                    nextSlow = now + slow;
                }
                try
                {
                    await TellAsync(eventId, listeners, isSlow);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "The waiting-room streams of event {EventId} missed an update", eventId);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }
        foreach (var listener in topic.Listeners)
        {
            listener.End();
        }
    }

    private async Task TellAsync(long eventId, QueueStreamListener[] listeners, bool isSlow)
    {
        var sale = await catalog.GetSaleAsync(eventId, [], lifetime.ApplicationStopping);
        if (sale is null)
        {
            Array.ForEach(listeners, l => l.End()); // the event is gone: its streams end
            return;
        }
        // Before the sale pre-sale joiners still shuffle in; after it a place is fixed and only the room moves.
        var presale = sale.OnSaleAt > DateTimeOffset.UtcNow;
        foreach (var chunk in listeners.Chunk(Concurrency))
        {
            await Task.WhenAll(chunk.Select(async listener =>
            {
                if (presale && isSlow && await rooms.PlaceAsync(listener.QueueId, eventId) is { } place)
                {
                    listener.Place = place;
                }
                var status = await rooms.StatusAsync(listener.QueueId, listener.Place, sale, eventId);
                if (status.Status != QueueStates.Waiting)
                {
                    listener.Deliver(FrameOf(status), last: true);
                }
                else if (isSlow)
                {
                    var changed = (status.Status, status.Position) != listener.Sent;
                    listener.Deliver(changed ? FrameOf(status) : Heartbeat);
                    listener.Sent = (status.Status, status.Position);
                }
            }));
        }
    }
}
