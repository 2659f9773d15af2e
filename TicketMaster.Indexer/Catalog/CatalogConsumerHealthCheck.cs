using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TicketMaster.Indexer.Catalog;

// Ready once the consumer's queue exists: before that, catalog changes would have nowhere to wait.
public sealed class CatalogConsumerHealthCheck(CatalogChangeConsumer consumer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(consumer.Consuming
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The indexer queue is not declared yet."));
}
