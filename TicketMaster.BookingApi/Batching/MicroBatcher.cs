using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace TicketMaster.BookingApi.Batching;

// Group commit in the application: callers that arrive while a flush is running are written together by the next
// one, and each caller's task completes only when its own item is done, with its own result (or its own failure: a
// batch that fails is flushed again item by item). One item alone is flushed at once, so a quiet system pays no
// delay; a busy one pays one round trip per batch instead of one per item.
public sealed class MicroBatcher<TItem, TResult>(string name, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> flush, int maxBatch)
{
    // How many items each flush carried: the measure of how much a batcher saves (1 = it saved nothing).
    private static readonly Histogram<int> BatchSize = new Meter("TicketMaster").CreateHistogram<int>("ticketmaster.batch.size",
        "{item}", "Items written together by one flush of a group-commit batcher");

    private readonly KeyValuePair<string, object?> _tag = new("batcher", name);
    private readonly Channel<(TItem Item, TaskCompletionSource<TResult> Done)> _queue =
        Channel.CreateUnbounded<(TItem, TaskCompletionSource<TResult>)>(new UnboundedChannelOptions { SingleReader = true });
    private int _started;

    public Task<TResult> EnqueueAsync(TItem item)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(LoopAsync);
        }
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite((item, done));
        return done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<(TItem Item, TaskCompletionSource<TResult> Done)>(maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < maxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            BatchSize.Record(batch.Count, _tag);
            try
            {
                var results = await flush(batch.Select(b => b.Item).ToList());
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception) when (batch.Count > 1)
            {
                // One caller's bad item must not fail the others it was batched with: each is flushed again on its
                // own, and only the ones that fail alone see an exception (their own).
                foreach (var (item, done) in batch)
                {
                    try
                    {
                        done.TrySetResult((await flush([item]))[0]);
                    }
                    catch (Exception alone)
                    {
                        done.TrySetException(alone);
                    }
                }
            }
            catch (Exception ex)
            {
                batch[0].Done.TrySetException(ex);
            }
        }
    }
}

/// <summary>A <see cref="MicroBatcher{TItem, TResult}"/> whose items have no result of their own, only "written".</summary>
public sealed class MicroBatcher<T>(string name, Func<IReadOnlyList<T>, Task> flush, int maxBatch)
{
    private readonly MicroBatcher<T, bool> _batcher = new(name, async items =>
    {
        await flush(items);
        return new bool[items.Count];
    }, maxBatch);

    public Task EnqueueAsync(T item) => _batcher.EnqueueAsync(item);
}
