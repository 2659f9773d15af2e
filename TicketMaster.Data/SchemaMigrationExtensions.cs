using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using TicketMaster.Data;

namespace Microsoft.Extensions.Hosting;

public static class SchemaMigrationExtensions
{
    // Runs the migrations embedded in the service's assembly while the host starts, before Kestrel listens, so a
    // replica never serves requests against an old schema. Call after AddMySqlDataSource.
    public static IHostApplicationBuilder AddSchemaMigrations(this IHostApplicationBuilder builder, System.Reflection.Assembly migrations)
    {
        var embedded = SchemaMigrator.EmbeddedIn(migrations);
        builder.Services.AddSingleton(sp => new SchemaMigrator(
            sp.GetRequiredService<MySqlDataSource>(), embedded, sp.GetRequiredService<ILogger<SchemaMigrator>>()));
        builder.Services.AddHostedService<SchemaMigrationHostedService>();
        return builder;
    }

    private sealed class SchemaMigrationHostedService(SchemaMigrator migrator, ILogger<SchemaMigrationHostedService> logger)
        : IHostedService
    {
        // Under Aspire, WaitFor holds us until MySQL is healthy; on Kubernetes nothing does, so a starting
        // pod retries for a while before it gives up and lets the kubelet restart it.
        private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
        private const int MaxAttempts = 30;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await migrator.MigrateAsync(cancellationToken);
                    return;
                }
                catch (MySqlException ex) when (attempt < MaxAttempts && IsTransient(ex))
                {
                    logger.LogWarning("MySQL not reachable yet ({Message}); retrying migrations ({Attempt}/{Max})",
                        ex.Message, attempt, MaxAttempts);
                    await Task.Delay(RetryDelay, cancellationToken);
                }
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static bool IsTransient(MySqlException ex) =>
            ex.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.AccessDenied or MySqlErrorCode.UnknownDatabase;
    }
}
