using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TicketMaster.Indexer.Catalog;

public sealed class CatalogConsumerState
{
    public volatile bool QueueDeclared;
}

// Ready once the consumer's queue exists: before that, catalog changes would have nowhere to wait.
public sealed class CatalogConsumerHealthCheck(CatalogConsumerState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.QueueDeclared
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The indexer queue is not declared yet."));
}
