using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace TicketMaster.EventsApi.Caching;

// The output cache is shared through Redis (every replica serves what one rendered; eviction by tag is global),
// but a Redis round trip per hit cost ~40 % of the throughput of a hello-world endpoint (bench/). So each replica
// keeps a copy for at most LocalLifetime. An eviction clears the local copies of every replica at once through
// Redis pub/sub; should a message be lost, a stale copy lives LocalLifetime at most — less than the 5 s a CDN may
// serve the same response anyway (Cache-Control: max-age=5).
public sealed class TwoLevelOutputCacheStore : IOutputCacheStore, IDisposable
{
    public static readonly TimeSpan LocalLifetime = TimeSpan.FromSeconds(1);
    private static readonly RedisChannel EvictionChannel = RedisChannel.Literal("ticketmaster:output-cache:evicted");

    private readonly IOutputCacheStore _shared;
    private readonly ISubscriber _subscriber;
    private MemoryCache _local = NewLocalCache();

    public TwoLevelOutputCacheStore(IOutputCacheStore shared, IConnectionMultiplexer redis)
    {
        _shared = shared;
        _subscriber = redis.GetSubscriber();
        _subscriber.Subscribe(EvictionChannel, (_, _) => ClearLocal());
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (_local.TryGetValue(key, out byte[]? local))
        {
            return local;
        }
        var shared = await _shared.GetAsync(key, cancellationToken);
        if (shared is not null)
        {
            KeepLocally(key, shared, LocalLifetime);
        }
        return shared;
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        await _shared.SetAsync(key, value, tags, validFor, cancellationToken);
        KeepLocally(key, value, validFor < LocalLifetime ? validFor : LocalLifetime);
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        await _shared.EvictByTagAsync(tag, cancellationToken);
        // Local copies do not know their tags when they came from Redis; evictions are rare, so drop them all.
        ClearLocal();
        await _subscriber.PublishAsync(EvictionChannel, tag);
    }

    private void KeepLocally(string key, byte[] value, TimeSpan lifetime) =>
        _local.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = value.Length });

    private void ClearLocal() => Interlocked.Exchange(ref _local, NewLocalCache()).Dispose();

    private static MemoryCache NewLocalCache() => new(new MemoryCacheOptions { SizeLimit = 64 * 1024 * 1024 });

    public void Dispose()
    {
        _subscriber.Unsubscribe(EvictionChannel);
        _local.Dispose();
    }
}
