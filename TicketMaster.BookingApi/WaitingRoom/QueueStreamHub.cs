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
// process reads them (every tenth of a second) and tells each open stream what changed: its pass,
// the sale selling out or a lapse at once, its position and a heartbeat once per Booking:WaitingRoom:PositionUpdateInterval.
// A stream itself only waits on its channel (no timer or Redis read per client).
public sealed class QueueStreamHub(SeatCatalog catalog, WaitingRoomStore rooms, IOptions<WaitingRoomOptions> options,
    IHostApplicationLifetime lifetime, ILogger<QueueStreamHub> logger)
{
    private const string Heartbeat = ": waiting\n\n";
    private static readonly TimeSpan FastTick = TimeSpan.FromMilliseconds(100);

    private sealed class Topic
    {
        public QueueStreamListener[] Listeners = [];
    }

    private readonly Dictionary<long, Topic> _topics = [];

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
                    await TellAsync(eventId, topic, listeners, isSlow);
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

    private async Task TellAsync(long eventId, Topic topic, QueueStreamListener[] listeners, bool isSlow)
    {
        var sale = await catalog.GetSaleAsync(eventId, [], lifetime.ApplicationStopping);
        if (sale is null)
        {
            Array.ForEach(listeners, l => l.End()); // the event is gone: its streams end
            lock (_topics)
            {
                topic.Listeners = [];
            }
            return;
        }
        // Before the sale pre-sale joiners still shuffle in; after it a place is fixed and only the room moves.
        var presale = sale.OnSaleAt > DateTimeOffset.UtcNow;
        if (presale && isSlow)
        {
            await Task.WhenAll(listeners.Select(async listener =>
            {
                if (await rooms.PlaceAsync(listener.QueueId, eventId) is { } place)
                {
                    listener.Place = place;
                }
            }));
        }
        var statuses = await rooms.StatusesAsync(listeners.Select(l => (l.QueueId, l.Place)).ToList(), sale, eventId);
        var ended = new HashSet<QueueStreamListener>();
        for (var i = 0; i < listeners.Length; i++)
        {
            var (listener, status) = (listeners[i], statuses[i]);
            if (status.Status != QueueStates.Waiting)
            {
                listener.Deliver(FrameOf(status), last: true);
                ended.Add(listener);
            }
            else if (isSlow)
            {
                var changed = (status.Status, status.Position) != listener.Sent;
                listener.Deliver(changed ? FrameOf(status) : Heartbeat);
                listener.Sent = (status.Status, status.Position);
            }
        }
        // A stream told its last frame is done: the next passes neither issue its pass again nor wait for it to leave.
        if (ended.Count > 0)
        {
            lock (_topics)
            {
                topic.Listeners = topic.Listeners.Where(l => !ended.Contains(l)).ToArray();
            }
        }
    }
}
