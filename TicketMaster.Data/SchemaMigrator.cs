using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace TicketMaster.Data;

// Applies a service's embedded Migrations/NNNN_name.sql files in order, each exactly once, to the service's own
// database (each service owns its tables and migrates only them). Several replicas start at the same moment, so the
// whole check-and-apply runs under a MySQL named lock per database (GET_LOCK is per server and released when the
// session ends, so a crashed replica cannot wedge it).
// MySQL commits DDL implicitly, so a migration is recorded only after all its statements succeeded; an
// edited migration that was already applied is refused by its checksum rather than silently skipped.
public sealed class SchemaMigrator(MySqlDataSource dataSource, IReadOnlyList<SchemaMigrator.Migration> migrations, ILogger<SchemaMigrator> logger)
{
    private const int LockTimeoutSeconds = 120;

    private string LockName => $"{new MySqlConnectionStringBuilder(dataSource.ConnectionString).Database}.schema_migrations";

    /// <summary>Applies the pending migrations; returns the versions this call applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        if (!await TryGetLockAsync(connection, cancellationToken))
        {
            throw new TimeoutException($"Could not take the '{LockName}' lock within {LockTimeoutSeconds} s.");
        }

        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     VARCHAR(16)  NOT NULL PRIMARY KEY,
                    name        VARCHAR(200) NOT NULL,
                    checksum    CHAR(64)     NOT NULL,
                    applied_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                    applied_by  VARCHAR(200) NOT NULL
                ) ENGINE=InnoDB
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var appliedNow = new List<string>();

            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Version} ({migration.Name}) changed after it was applied. Add a new migration instead.");
                    }
                    continue;
                }

                logger.LogInformation("Applying migration {Version} {Name}", migration.Version, migration.Name);
                await ExecuteAsync(connection, migration.Sql, cancellationToken);
                await RecordAsync(connection, migration, cancellationToken);
                appliedNow.Add(migration.Version);
            }

            logger.LogInformation("Schema is at version {Version}; {Count} migration(s) applied by this instance",
                migrations[^1].Version, appliedNow.Count);
            return appliedNow;
        }
        finally
        {
            await using var release = connection.CreateCommand();
            release.CommandText = "DO RELEASE_LOCK(@name)";
            release.Parameters.AddWithValue("@name", LockName);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<bool> TryGetLockAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT GET_LOCK(@name, {LockTimeoutSeconds})";
        command.Parameters.AddWithValue("@name", LockName);
        command.CommandTimeout = LockTimeoutSeconds + 10;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) == 1;
    }

    private static async Task<Dictionary<string, string>> ReadAppliedAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, checksum FROM schema_migrations";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<string, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }
        return applied;
    }

    private static async Task RecordAsync(MySqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO schema_migrations (version, name, checksum, applied_by) VALUES (@version, @name, @checksum, @appliedBy)";
        command.Parameters.AddWithValue("@version", migration.Version);
        command.Parameters.AddWithValue("@name", migration.Name);
        command.Parameters.AddWithValue("@checksum", migration.Checksum);
        command.Parameters.AddWithValue("@appliedBy", $"{Environment.MachineName}/{Environment.ProcessId}");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(MySqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The Migrations/*.sql files embedded in <paramref name="assembly"/> (a service's project), in version order.</summary>
    public static IReadOnlyList<Migration> EmbeddedIn(Assembly assembly)
    {
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Migration.FromResource(assembly, n))
            .OrderBy(m => m.Version, StringComparer.Ordinal)
            .ToList();

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException($"No migrations are embedded in {assembly.GetName().Name}.");
        }
        return migrations;
    }

    public sealed record Migration(string Version, string Name, string Sql, string Checksum)
    {
        // "Migrations/0001_initial_schema.sql" → version "0001", name "initial_schema".
        public static Migration FromResource(Assembly assembly, string resourceName)
        {
            using var stream = assembly.GetManifestResourceStream(resourceName)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var fileName = Path.GetFileNameWithoutExtension(resourceName["Migrations/".Length..]);
            var separator = fileName.IndexOf('_');
            if (separator <= 0)
            {
                throw new InvalidOperationException($"Migration file '{fileName}' must be named NNNN_description.sql.");
            }
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
            return new Migration(fileName[..separator], fileName[(separator + 1)..], sql, checksum);
        }
    }
}
