using System.Diagnostics.Metrics;

namespace TicketMaster.Indexer.Catalog;

// What the Indexer did, as OpenTelemetry metrics (dashboard) and as numbers on GET /indexer/stats (tests, ops).
public sealed class IndexerStats
{
    private readonly Counter<long> _messages;
    private long _indexed;
    private long _skippedStale;
    private long _deadLettered;
    private long _reindexed;

    public IndexerStats(IMeterFactory meters)
    {
        _messages = meters.Create("TicketMaster").CreateCounter<long>("ticketmaster.indexer.messages", description: "Catalog messages by outcome");
    }

    public void Indexed() => Count(ref _indexed, "indexed");
    public void SkippedStale() => Count(ref _skippedStale, "skipped_stale");
    public void DeadLettered() => Count(ref _deadLettered, "dead_lettered");
    public void Reindexed() => Count(ref _reindexed, "reindexed");

    public object Snapshot() => new
    {
        indexed = Interlocked.Read(ref _indexed),
        skipped_stale = Interlocked.Read(ref _skippedStale),
        dead_lettered = Interlocked.Read(ref _deadLettered),
        reindexed = Interlocked.Read(ref _reindexed),
    };

    private void Count(ref long counter, string outcome)
    {
        Interlocked.Increment(ref counter);
        _messages.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }
}
