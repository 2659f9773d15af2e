using Microsoft.AspNetCore.Diagnostics;
using MySqlConnector;
using StackExchange.Redis;

namespace TicketMaster.BookingApi;

// Redis or MySQL restarting or failing over is a moment to retry, not a bug of ours: 503 with Retry-After as problem
// details, not a 500. (Holds live in Redis and sales in MySQL; neither request can go on without its server, and
// a retried reserve or confirm is safe: Idempotency-Key, and the same reservation for a confirm.)
public sealed class DependencyUnavailableHandler(IProblemDetailsService problems, ILogger<DependencyUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception) || context.Response.HasStarted)
        {
            return false;
        }
        logger.LogWarning("A server is unavailable for {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, exception.Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Try again in a moment",
                Detail = "A server behind booking is briefly unavailable; retry the request (a retried confirm returns its booking if it made one)." },
        });
    }

    // MySqlConnector calls connection failures (and lock conflicts that outlasted their reruns) transient.
    private static bool IsUnavailable(Exception exception) =>
        exception is RedisConnectionException or RedisTimeoutException or MySqlException { IsTransient: true };
}
