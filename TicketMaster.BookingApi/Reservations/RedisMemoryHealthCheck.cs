using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace TicketMaster.BookingApi.Reservations;

// Holds live in Redis, which runs with maxmemory and noeviction: when it is full it refuses new holds (503 to the fan)
// rather than silently evicting someone's. Operators see it coming here: Degraded from 90 % of maxmemory (still
// ready: every replica shares the one Redis, so taking them out of service would only turn 503s into an outage).
public sealed class RedisMemoryHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public const string Name = "redis-memory";
    private const double DegradedAt = 0.9;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // INFO through a script: the client refuses it as an "admin" command on the services' non-admin connection.
        var text = (string?)await redis.GetDatabase().ScriptEvaluateAsync("return redis.call('INFO', 'memory')") ?? "";
        var info = text.Split('\n').Select(l => l.TrimEnd('\r').Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var used = long.Parse(info.GetValueOrDefault("used_memory", "0"), CultureInfo.InvariantCulture);
        var max = long.Parse(info.GetValueOrDefault("maxmemory", "0"), CultureInfo.InvariantCulture);
        var data = new Dictionary<string, object> { ["used_memory"] = used, ["maxmemory"] = max, ["maxmemory_policy"] = info.GetValueOrDefault("maxmemory_policy", "") };
        if (max == 0)
        {
            return HealthCheckResult.Degraded("Redis has no maxmemory: a full Redis would be killed rather than refuse writes.", data: data);
        }
        return used >= max * DegradedAt
            ? HealthCheckResult.Degraded($"Redis uses {used * 100 / max} % of its maxmemory; at 100 % new holds are refused.", data: data)
            : HealthCheckResult.Healthy(data: data);
    }
}
