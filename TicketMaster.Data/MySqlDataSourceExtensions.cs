using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace Microsoft.Extensions.Hosting;

// Aspire.MySqlConnector is not served on our NuGet mirror, so this is the same shape in a few lines:
// a singleton MySqlDataSource from ConnectionStrings:{name}, a readiness health check named {name},
// and MySqlConnector's logging (its ActivitySource and Meter are enabled in ConfigureOpenTelemetry).
public static class MySqlDataSourceExtensions
{
    public static IHostApplicationBuilder AddMySqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is missing. The AppHost sets it as ConnectionStrings__{connectionName}.");

        builder.Services.AddSingleton(sp => new MySqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => new MySqlHealthCheck(sp.GetRequiredService<MySqlDataSource>()),
            failureStatus: null,
            tags: ["ready"],
            timeout: TimeSpan.FromSeconds(5)));

        return builder;
    }

    private sealed class MySqlHealthCheck(MySqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is MySqlException or InvalidOperationException or TimeoutException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
            }
        }
    }
}
