using MySqlConnector;
using Microsoft.Extensions.Logging.Abstractions;
using TicketMaster.Data;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Data;

[Collection(AppHostCollection.Name)]
public sealed class MigrationTests(AppHostFixture fixture)
{
    private static readonly IReadOnlyList<SchemaMigrator.Migration> CatalogMigrations =
        SchemaMigrator.EmbeddedIn(typeof(TicketMaster.EventsApi.Extensions.Extensions).Assembly);
    private static readonly IReadOnlyList<SchemaMigrator.Migration> SaleMigrations =
        SchemaMigrator.EmbeddedIn(typeof(TicketMaster.BookingApi.Extensions.Extensions).Assembly);

    [Theory]
    [InlineData("catalog", new[] { "venue", "section", "seat", "performer", "event", "event_performer", "event_staff", "event_price",
        "event_sales", "event_sold_booking", "event_refund_counted", "outbox", "schema_migrations" })]
    [InlineData("booking", new[] { "sale_event", "sale_staff", "event_seat", "user", "booking", "ticket", "payment", "booking_outbox",
        "processed_message", "refund", "mail", "schema_migrations" })]
    public async Task Each_service_migrated_exactly_its_own_tables_in_its_own_database_once_with_replicas_starting_together(
        string database, string[] tables)
    {
        // Every replica ran the migrator while starting; the migrations use plain CREATE TABLE, so a second
        // application would have failed that replica's start-up and it would not be healthy.
        Assert.Equal(AppHostFixture.EventsApiReplicas, await CountHealthyReplicasAsync("eventsapi"));

        await using var connection = new MySqlConnection(await fixture.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        var applied = await QueryVersionsAsync(connection, "SELECT version FROM schema_migrations ORDER BY version");
        Assert.Equal((database == "catalog" ? CatalogMigrations : SaleMigrations).Select(m => m.Version), applied);
        var present = await QueryVersionsAsync(connection,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name");
        Assert.Equal(tables.Order(StringComparer.Ordinal), present.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Concurrent_migrators_apply_each_migration_exactly_once()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(await fixture.GetConnectionStringAsync("mysql"));
        const int migrators = 6;
        using var start = new Barrier(migrators);

        var results = await Task.WhenAll(Enumerable.Range(0, migrators).Select(_ => Task.Run(async () =>
        {
            await using var dataSource = new MySqlDataSource(scratch.ConnectionString);
            var migrator = new SchemaMigrator(dataSource, SaleMigrations, NullLogger<SchemaMigrator>.Instance);
            start.SignalAndWait();
            return await migrator.MigrateAsync(CancellationToken.None);
        })));

        var appliedVersions = results.SelectMany(r => r).Order().ToList();
        Assert.Equal(SaleMigrations.Select(m => m.Version), appliedVersions);
        Assert.Single(results, r => r.Count > 0);
    }

    [Fact]
    public async Task An_applied_migration_that_was_edited_is_refused()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(await fixture.GetConnectionStringAsync("mysql"));
        await using var dataSource = new MySqlDataSource(scratch.ConnectionString);
        var migrator = new SchemaMigrator(dataSource, CatalogMigrations, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        Assert.Empty(await migrator.MigrateAsync(CancellationToken.None));

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var tamper = new MySqlCommand("UPDATE schema_migrations SET checksum = REPEAT('0', 64) WHERE version = '0001'", connection);
            await tamper.ExecuteNonQueryAsync();
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(CancellationToken.None));
        Assert.Contains("0001", refused.Message);
    }

    private async Task<int> CountHealthyReplicasAsync(string resourceName)
    {
        // WatchAsync replays the latest state of every resource instance before live updates.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var healthy = new HashSet<string>();
        await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(cts.Token))
        {
            if (update.Resource.Name == resourceName
                && update.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                healthy.Add(update.ResourceId);
                if (healthy.Count == AppHostFixture.EventsApiReplicas)
                {
                    break;
                }
            }
        }
        return healthy.Count;
    }

    private static async Task<List<string>> QueryVersionsAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
