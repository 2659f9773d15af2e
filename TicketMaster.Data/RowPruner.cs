using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OpenTelemetry;

namespace TicketMaster.Data;

/// <summary>Retention:* — how long rows that only record what was handled are kept.</summary>
public sealed class RetentionOptions
{
    /// <summary>Outbox rows once sent: long enough to look into what was published, and no longer.</summary>
    public TimeSpan SentOutbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Ids of handled messages: longer than any redelivery (Stripe retries a webhook for up to three days).</summary>
    public TimeSpan ProcessedMessages { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Rows of <paramref name="Table"/> whose <paramref name="TimeColumn"/> is older than the retention go (a NULL never does).</summary>
public sealed record PruneRule(string Table, string TimeColumn, Func<RetentionOptions, TimeSpan> Retention);

// Deletes in chunks, so a backlog never holds long locks against the writers of the same table. Every replica runs
// it: a delete of rows already gone costs an index probe, and no lease is needed.
public sealed class RowPruner(MySqlDataSource dataSource, IEnumerable<PruneRule> rules, IOptions<RetentionOptions> options,
    ILogger<RowPruner> logger) : BackgroundService
{
    private const int ChunkSize = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            foreach (var rule in rules)
            {
                try
                {
                    var pruned = await PruneAsync(rule, stoppingToken);
                    if (pruned > 0)
                    {
                        logger.LogInformation("Pruned {Rows} rows of {Table} older than {Retention}", pruned, rule.Table, rule.Retention(options.Value));
                    }
                }
                catch (Exception ex) when (ex is MySqlException or TimeoutException)
                {
                    logger.LogWarning(ex, "Pruning {Table} failed; trying again in {Interval}", rule.Table, options.Value.Interval);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<long> PruneAsync(PruneRule rule, CancellationToken cancellationToken)
    {
        using var _ = SuppressInstrumentationScope.Begin();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var before = DateTime.UtcNow - rule.Retention(options.Value);
        long total = 0;
        int deleted;
        do
        {
            await using var delete = new MySqlCommand($"DELETE FROM {rule.Table} WHERE {rule.TimeColumn} < @before LIMIT {ChunkSize}", connection);
            delete.Parameters.AddWithValue("@before", before);
            deleted = await delete.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == ChunkSize);
        return total;
    }
}

public static class RowPruningExtensions
{
    /// <summary>Prunes <paramref name="rule"/>'s table in the background (one pruner per process, for all its rules).</summary>
    public static IHostApplicationBuilder AddRowPruning(this IHostApplicationBuilder builder, PruneRule rule)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration("Retention")
            .Validate(o => o.SentOutbox > TimeSpan.Zero && o.ProcessedMessages > TimeSpan.Zero && o.Interval > TimeSpan.Zero, "Retention:* must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton(rule);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RowPruner>());
        return builder;
    }
}
