using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace TicketMaster.BookingApi;

// Redis restarting or failing over is a moment to retry, not a bug of ours: 503 with Retry-After as problem details,
// not a 500. (Holds live in Redis, so reserves cannot go on without it; MySQL stays the arbiter of every sale.)
public sealed class RedisUnavailableHandler(IProblemDetailsService problems, ILogger<RedisUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (RedisConnectionException or RedisTimeoutException) || context.Response.HasStarted)
        {
            return false;
        }
        logger.LogWarning("Redis unavailable for {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, exception.Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Try again in a moment",
                Detail = "Seat holds are briefly unavailable; retry the request (a retried confirm returns its booking if it made one)." },
        });
    }
}
