using Microsoft.Extensions.Options;

namespace TicketMaster.BookingApi.Reservations;

// A best-available reserve that finds no seat free where it asked, while some seats of the event are only held, may wait
// for seats to come back from holds that lapse or are released (`wait_seconds`). Answering 409 at once had every such
// fan ask again whenever the seat stream showed a seat free: N fans, k seats, N − k conflicts each time. Here the waiting
// requests of an event form a line in this process; every tick the line asks again in order, stopping at the first
// answer that nothing is free, so seats that come back go to the fans in the order they asked — one request at a time,
// not a stampede. A fan wanting more seats side by side than are free keeps its place while those behind it who want
// fewer are served. Replicas keep their own lines: a returned seat goes to one of their heads, and the others keep
// their place rather than hearing 409. Bounded: Booking:ReturnsWaitLimit requests per process, Booking:MaxReturnsWait each.
public sealed class ReturnsWaitlist(IOptions<BookingOptions> options, ILogger<ReturnsWaitlist> logger) : IDisposable
{
    /// <summary>How often an event's line asks again.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    private sealed class Waiter(int quantity, long deadline, Func<Task<ReserveOutcome>> askAgain, ReserveOutcome.NotSideBySide last,
        CancellationToken aborted)
    {
        public int Quantity { get; } = quantity;
        /// <summary>Environment.TickCount64 at which the wait ends.</summary>
        public long Deadline { get; } = deadline;
        public Func<Task<ReserveOutcome>> AskAgain { get; } = askAgain;
        public CancellationToken Aborted { get; } = aborted;
        public ReserveOutcome.NotSideBySide Last { get; set; } = last;
        public TaskCompletionSource<ReserveOutcome> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Dictionary<long, List<Waiter>> _lines = [];
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>Requests waiting in this process (bounded by Booking:ReturnsWaitLimit).</summary>
    private int _waiting;

    /// <summary>
    /// The answer to a reserve that found nothing: at once when it may not wait (seats are free but not side by side, the
    /// event is sold out, the line is full), else the first seats that come back for it, or at the end of the wait the
    /// last "none" it was told.
    /// </summary>
    public Task<ReserveOutcome> WaitAsync(long eventId, ReserveOutcome.NotSideBySide none, TimeSpan wait, Func<Task<ReserveOutcome>> askAgain,
        CancellationToken aborted)
    {
        if (none.SoldOut || none.SeatsLeft > 0 || wait <= TimeSpan.Zero || _stopping.IsCancellationRequested)
        {
            return Task.FromResult<ReserveOutcome>(none);
        }
        if (Interlocked.Increment(ref _waiting) > options.Value.ReturnsWaitLimit)
        {
            Interlocked.Decrement(ref _waiting);
            return Task.FromResult<ReserveOutcome>(none);
        }
        var waiter = new Waiter(none.Quantity, Environment.TickCount64 + (long)(wait < options.Value.MaxReturnsWait ? wait : options.Value.MaxReturnsWait).TotalMilliseconds,
            askAgain, none, aborted);
        var first = false;
        lock (_lines)
        {
            if (!_lines.TryGetValue(eventId, out var line))
            {
                _lines[eventId] = line = [];
                first = true;
            }
            line.Add(waiter);
        }
        if (first)
        {
            _ = Task.Run(() => ServeAsync(eventId));
        }
        return waiter.Answer.Task;
    }

    private async Task ServeAsync(long eventId)
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                Waiter[] line;
                lock (_lines)
                {
                    if (!_lines.TryGetValue(eventId, out var waiting) || waiting.Count == 0)
                    {
                        _lines.Remove(eventId);
                        return;
                    }
                    line = [.. waiting];
                }
                await AskInTurnAsync(eventId, line);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopping (or a fault): nobody is left waiting for an answer.
            lock (_lines)
            {
                if (_stopping.IsCancellationRequested && _lines.Remove(eventId, out var left))
                {
                    foreach (var waiter in left)
                    {
                        waiter.Answer.TrySetResult(waiter.Last);
                    }
                }
            }
        }
    }

    private async Task AskInTurnAsync(long eventId, Waiter[] line)
    {
        // Most seats side by side that this tick's answers left free: a fan wanting more is not asked.
        var largest = int.MaxValue;
        var now = Environment.TickCount64;
        foreach (var waiter in line)
        {
            if (waiter.Aborted.IsCancellationRequested || now >= waiter.Deadline)
            {
                Finish(eventId, waiter, waiter.Last);
                continue;
            }
            if (waiter.Quantity > largest)
            {
                continue;
            }
            ReserveOutcome outcome;
            try
            {
                outcome = await waiter.AskAgain();
            }
            catch (Exception ex)
            {
                // Redis failing: this request's answer (a 503 from the pipeline), and the rest try on the next tick.
                logger.LogWarning("A waiting reserve of event {EventId} failed: {Error}", eventId, ex.Message);
                Finish(eventId, waiter, null, ex);
                return;
            }
            if (outcome is ReserveOutcome.NotSideBySide { SoldOut: true } soldOut)
            {
                foreach (var everyone in line)
                {
                    Finish(eventId, everyone, soldOut);
                }
                return;
            }
            if (outcome is ReserveOutcome.NotSideBySide none)
            {
                waiter.Last = none;
                largest = none.LargestBlock;
                if (largest == 0)
                {
                    return; // nothing free: the line keeps its order for the next tick
                }
                continue;
            }
            Finish(eventId, waiter, outcome);
        }
    }

    private void Finish(long eventId, Waiter waiter, ReserveOutcome? outcome, Exception? failure = null)
    {
        lock (_lines)
        {
            if (!_lines.TryGetValue(eventId, out var line) || !line.Remove(waiter))
            {
                return;
            }
        }
        Interlocked.Decrement(ref _waiting);
        if (failure is null)
        {
            waiter.Answer.TrySetResult(outcome!);
        }
        else
        {
            waiter.Answer.TrySetException(failure);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel(); // not disposed: a line still serving reads its token
    }
}
