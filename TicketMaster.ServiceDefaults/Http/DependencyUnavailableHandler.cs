using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace TicketMaster.ServiceDefaults.Http;

/// <summary>An exception that means a server behind the service is briefly unavailable (a service adds one per client it uses).</summary>
public sealed record UnavailableDependency(string Name, Func<Exception, bool> Matches);

// A server restarting or failing over, or Redis full, is a moment to retry, not a bug of ours: 503 with Retry-After as
// problem details, not a 500, in every service. (Every write is safe to retry: reserves take an Idempotency-Key, a
// retried confirm finds its own booking, catalog writes are one transaction each.)
public sealed class DependencyUnavailableHandler(
    IEnumerable<UnavailableDependency> dependencies, IProblemDetailsService problems, ILogger<DependencyUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var dependency = IsRedisUnavailable(exception) ? "redis" : dependencies.FirstOrDefault(d => d.Matches(exception))?.Name;
        if (dependency is null || context.Response.HasStarted)
        {
            return false;
        }
        logger.LogWarning("{Dependency} is unavailable for {Method} {Endpoint}: {Error}", dependency, context.Request.Method,
            context.GetEndpoint()?.DisplayName ?? "(no endpoint)", exception.GetType().Name);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, Exception = exception, ProblemDetails = Problem() });
    }

    /// <summary>The 503's body (with Retry-After: 1), also for what answers outside the request pipeline.</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails Problem() => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable, Title = "Try again in a moment",
        Detail = "A server behind this service is briefly unavailable; retry the request (a retried confirm returns its booking if it made one).",
    };

    // Redis at its maxmemory refuses writes (noeviction) instead of evicting someone's hold.
    private static bool IsRedisUnavailable(Exception exception) =>
        exception is RedisConnectionException or RedisTimeoutException
        || exception is RedisServerException redis && redis.Message.StartsWith("OOM", StringComparison.Ordinal);
}
