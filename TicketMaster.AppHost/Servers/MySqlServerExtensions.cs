using System.Diagnostics;
using MySqlConnector;

namespace TicketMaster.AppHost.Servers;

public static class MySqlServerExtensions
{
    private const int MySqlPort = 3306;

    /// <summary>MySQL under <paramref name="name"/>; its connection string names <paramref name="databaseName"/>.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddMySqlServer(
        this IDistributedApplicationBuilder builder, string name, string databaseName, LocalServers? local)
    {
        // No special characters: the password goes into a key=value;... connection string unescaped.
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);

        if (local is null)
        {
            return builder.AddResource(new MySqlContainerResource(name, password, databaseName))
                .WithImage("mysql", "8.4")
                .WithImageRegistry("docker.io")
                .WithEndpoint(targetPort: MySqlPort, name: MySqlContainerResource.EndpointName, scheme: "tcp")
                .WithEnvironment("MYSQL_ROOT_PASSWORD", password)
                .WithEnvironment("MYSQL_DATABASE", databaseName)
                .WithVolume($"ticketmaster-{name}-data", "/var/lib/mysql");
        }

        var dataDir = local.Options.DataDirFor(name);
        var files = new MariaDbFiles(dataDir);
        var server = new MariaDbServerResource(name, local.Binaries.Mariadbd, dataDir, password, databaseName);

        return builder.AddResource(server)
            // --defaults-file must come first, else Debian's /etc/mysql configuration is read as well.
            .WithArgs(context =>
            {
                context.Args.Add($"--defaults-file={files.DefaultsFile}");
                context.Args.Add(ReferenceExpression.Create($"--port={server.PrimaryEndpoint.Property(EndpointProperty.TargetPort)}"));
            })
            // Not proxied: every query would otherwise cross DCP's TCP proxy (an extra hop that production does not
            // have; it cost more CPU per booking than MariaDB itself in the booking benchmark).
            .WithEndpoint(name: MariaDbServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .OnBeforeResourceStarted(async (resource, _, cancellationToken) =>
                await files.PrepareAsync(local, await resource.Password.GetValueAsync(cancellationToken) ?? "", databaseName, cancellationToken))
            .WithHealthCheck(builder.AddReadinessCheck(name, cancellationToken => QueryAsync(server, cancellationToken)));
    }

    // Files of one local MariaDB instance under its data directory.
    private sealed class MariaDbFiles(string root)
    {
        public string DefaultsFile => Path.Combine(root, "my.cnf");
        private string DataDir => Path.Combine(root, "data");
        private string InitFile => Path.Combine(root, "init.sql");

        public async Task PrepareAsync(LocalServers local, string password, string databaseName, CancellationToken cancellationToken)
        {
            await File.WriteAllTextAsync(DefaultsFile, $"""
                [mysqld]
                user=root
                datadir={DataDir}
                socket={Path.Combine(root, "mysqld.sock")}
                pid-file={Path.Combine(root, "mysqld.pid")}
                log-error={Path.Combine(root, "error.log")}
                init-file={InitFile}
                bind-address=127.0.0.1
                skip-name-resolve
                skip-log-bin
                performance_schema=OFF
                innodb_buffer_pool_size=128M
                max_connections=500
                character-set-server=utf8mb4
                collation-server=utf8mb4_unicode_ci
                {(local.Options.FastUnsafeStorage ? "innodb_flush_log_at_trx_commit=2\ninnodb_doublewrite=0" : "")}
                """, cancellationToken);

            // Runs at every start with full privileges: it (re)sets the generated password, so a kept data
            // directory never locks us out, and creates the application database on first start.
            await PrivateFile.WriteAsync(InitFile, $"""
                ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY '{password}';
                ALTER USER IF EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '{password}';
                ALTER USER IF EXISTS 'root'@'::1' IDENTIFIED BY '{password}';
                CREATE DATABASE IF NOT EXISTS `{databaseName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
                """, cancellationToken);

            if (!Directory.Exists(Path.Combine(DataDir, "mysql")))
            {
                await InstallSystemTablesAsync(local.Binaries.MariadbInstallDb, cancellationToken);
            }
        }

        private async Task InstallSystemTablesAsync(string installDb, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(installDb)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add($"--defaults-file={DefaultsFile}");
            start.ArgumentList.Add("--auth-root-authentication-method=normal");
            start.ArgumentList.Add("--skip-test-db");
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {installDb}");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{installDb} failed ({process.ExitCode}): {await errors}{await output}");
            }
        }
    }

    // Ready means the application database answers a query with the generated password.
    private static async Task QueryAsync(MariaDbServerResource server, CancellationToken cancellationToken)
    {
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new MySqlConnection(connectionString + ";Pooling=false;Connection Timeout=3");
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}

// Publish mode: the official mysql:8.4 image. Connection string of the same shape as the local server's.
public sealed class MySqlContainerResource(string name, ParameterResource password, string databaseName)
    : ContainerResource(name), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};User ID=root;Password={password};Database={databaseName}");
}
