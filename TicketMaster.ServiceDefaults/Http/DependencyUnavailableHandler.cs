using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using RabbitMQ.Client.Exceptions;
using StackExchange.Redis;

namespace TicketMaster.ServiceDefaults.Http;

// MySQL, Redis or RabbitMQ restarting or failing over, or Redis full, is a moment to retry, not a bug of ours: 503 with
// Retry-After as problem details, not a 500, in every service. (Every write is safe to retry: reserves take an Idempotency-Key, a
// retried confirm finds its own booking, catalog writes are one transaction each.)
public sealed class DependencyUnavailableHandler(IProblemDetailsService problems, ILogger<DependencyUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception) || context.Response.HasStarted)
        {
            return false;
        }
        logger.LogWarning("A server is unavailable for {Method} {Endpoint}: {Error}", context.Request.Method,
            context.GetEndpoint()?.DisplayName ?? "(no endpoint)", exception.GetType().Name);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Try again in a moment",
                Detail = "A server behind this service is briefly unavailable; retry the request (a retried confirm returns its booking if it made one)." },
        });
    }

    // MySqlConnector calls connection failures (and lock conflicts that outlasted their reruns) transient; a server
    // going away in the middle of a result set is not flagged so, but is the same moment to retry.
    private static bool IsUnavailable(Exception exception) =>
        exception is RedisConnectionException or RedisTimeoutException or MySqlException { IsTransient: true }
            or MySqlException { InnerException: MySqlEndOfStreamException or IOException or System.Net.Sockets.SocketException }
            or BrokerUnreachableException or AlreadyClosedException or ConnectFailureException
            // Redis at its maxmemory refuses writes (noeviction) instead of evicting someone's hold.
            || exception is RedisServerException redis && redis.Message.StartsWith("OOM", StringComparison.Ordinal);
}
