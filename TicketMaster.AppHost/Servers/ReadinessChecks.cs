using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TicketMaster.AppHost.Servers;

internal static class ReadinessChecks
{
    /// <summary>
    /// Registers "{resourceName}-ready", healthy when <paramref name="probe"/> completes, and returns its name for
    /// WithHealthCheck. Probes must speak the server's protocol: DCP's proxy accepts TCP before the server listens.
    /// </summary>
    public static string AddReadinessCheck(this IDistributedApplicationBuilder builder, string resourceName, Func<CancellationToken, Task> probe)
    {
        var name = $"{resourceName}-ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name, _ => new ProbeCheck(probe), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));
        return name;
    }

    private sealed class ProbeCheck(Func<CancellationToken, Task> probe) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await probe(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }
}
