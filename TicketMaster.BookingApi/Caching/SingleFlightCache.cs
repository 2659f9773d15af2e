using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace TicketMaster.BookingApi.Caching;

// A short-lived in-process cache where a miss is loaded once, however many requests miss at the same moment.
// IMemoryCache.GetOrCreateAsync runs the factory for every concurrent miss: on an onsale's first second that was
// 32 simultaneous 50,000-row seat queries (6.5 s reserves in the benchmark).
public sealed class SingleFlightCache(IMemoryCache cache)
{
    private readonly ConcurrentDictionary<object, Lazy<Task<object?>>> _loading = new();

    /// <summary>
    /// The cached value, or the value of the one load in flight for <paramref name="key"/>. Loads are shared, so they
    /// run without the caller's cancellation token.
    /// </summary>
    public async Task<T> GetAsync<T>(object key, TimeSpan lifetime, Func<Task<T>> load)
    {
        if (cache.TryGetValue(key, out var cached))
        {
            return (T)cached!;
        }
        var loading = _loading.GetOrAdd(key, _ => new Lazy<Task<object?>>(async () =>
        {
            try
            {
                var value = await load();
                cache.Set(key, (object?)value, lifetime);
                return value;
            }
            finally
            {
                _loading.TryRemove(key, out Lazy<Task<object?>>? _);
            }
        }));
        return (T)(await loading.Value)!;
    }
}
