using System.Threading.Channels;

namespace TicketMaster.BookingApi.Batching;

// Group commit in the application: callers that arrive while a flush is running are written together by the next
// one, and each caller's task completes only when its own item is durable. One item alone is flushed at once, so
// a quiet system pays no delay; a busy one pays one transaction per batch instead of one per item.
public sealed class MicroBatcher<T>(Func<IReadOnlyList<T>, Task> flush, int maxBatch)
{
    private readonly Channel<(T Item, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(T, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private int _started;

    public Task EnqueueAsync(T item)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(LoopAsync);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite((item, done));
        return done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<(T Item, TaskCompletionSource Done)>(maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < maxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            try
            {
                await flush(batch.Select(b => b.Item).ToList());
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(b => b.Done.TrySetException(ex));
            }
        }
    }
}
