using StackExchange.Redis;

namespace TicketMaster.BookingApi;

// A short Redis lease for work that every replica runs a loop for but only one should do at a time (admission,
// the invariant check): the holder renews it each pass; if the holder dies it lapses and another replica takes over.
public sealed class Lease(IConnectionMultiplexer redis, RedisKey key, TimeSpan duration)
{
    // KEYS: the lease. ARGV: this process's id, lease ms → 1 while this process holds the lease.
    public const string Script = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return 1
        end
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    private readonly string _holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>Takes or renews the lease; true while this process holds it.</summary>
    public async Task<bool> HoldAsync() =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(Script, [key], [_holder, (long)duration.TotalMilliseconds]) == 1;
}
