using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace TicketMaster.AppHost.Servers;

/// <summary>A database of one service, and the MySQL user the service connects as (granted that database only).</summary>
public sealed record ServiceDatabase(string Name, string User);

/// <summary>The server (its connection string is the administrator's) and a resource per service database.</summary>
public sealed record MySqlServer(
    IResourceBuilder<IResourceWithConnectionString> Server, IReadOnlyDictionary<string, IResourceBuilder<MySqlDatabaseResource>> Databases);

public static class MySqlServerExtensions
{
    private const int MySqlPort = 3306;

    /// <summary>
    /// MySQL under <paramref name="name"/> with one database per service, each reached as the service's own user
    /// (ConnectionStrings__{database}); at every start the server (re)creates the databases, users and grants.
    /// </summary>
    public static MySqlServer AddMySqlServer(
        this IDistributedApplicationBuilder builder, string name, LocalServers? local, params ServiceDatabase[] databases)
    {
        // No special characters: the passwords go into key=value;... connection strings and SQL literals unescaped.
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var users = databases.ToDictionary(d => d, d =>
            ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{d.Name}-password", special: false));

        IResourceBuilder<IResourceWithConnectionString> server;
        EndpointReference endpoint;
        if (local is null)
        {
            var container = new MySqlContainerResource(name, password);
            endpoint = container.PrimaryEndpoint;
            var resource = builder.AddResource(container)
                .WithImage("mysql", "8.4")
                .WithImageRegistry("docker.io")
                .WithEndpoint(targetPort: MySqlPort, name: MySqlContainerResource.EndpointName, scheme: "tcp")
                .WithEnvironment("MYSQL_ROOT_PASSWORD", password)
                .WithVolume($"ticketmaster-{name}-data", "/var/lib/mysql")
                // The image's entrypoint, after writing the databases, users and grants to an init file the server runs
                // at every start (so a kept volume gets new databases and rotated passwords too).
                .WithEntrypoint("sh")
                .WithArgs("-c", ContainerInitScript(databases));
            foreach (var (database, userPassword) in users)
            {
                resource.WithEnvironment(PasswordVariable(database), userPassword);
            }
            server = resource;
        }
        else
        {
            server = builder.AddLocalMariaDb(name, local, password, users, out endpoint);
        }

        var resources = databases.ToDictionary(d => d.Name, d => builder.AddResource(
            new MySqlDatabaseResource(d.Name, d.User, users[d], endpoint, server.Resource)), StringComparer.Ordinal);
        if (local is not null)
        {
            // A database is there once its server is ready (the init file ran before the server took connections).
            builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (ready, _) =>
            {
                foreach (var database in resources.Values)
                {
                    await ready.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database.Resource,
                        state => state with { State = KnownResourceStates.Running });
                }
            });
            foreach (var database in resources.Values)
            {
                database.WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = "MySQLDatabase",
                    State = KnownResourceStates.Waiting,
                    Properties = [],
                });
            }
        }
        return new MySqlServer(server, resources);
    }

    private static string PasswordVariable(ServiceDatabase database) => $"{database.Name.ToUpperInvariant()}_DB_PASSWORD";

    // What a service does with its own tables: read and write them, and migrate them. No routines, views, triggers,
    // events, file access, grants or other databases.
    private const string Privileges = "SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES";

    /// <summary>
    /// The statements that give each service its database and its user, granted that database only: exactly, whatever a
    /// kept data directory granted before.
    /// </summary>
    private static string GrantStatements(IEnumerable<ServiceDatabase> databases, Func<ServiceDatabase, string> password) =>
        string.Join('\n', databases.Select(d => $"""
            CREATE DATABASE IF NOT EXISTS {d.Name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
            CREATE USER IF NOT EXISTS '{d.User}'@'%' IDENTIFIED BY '{password(d)}';
            ALTER USER '{d.User}'@'%' IDENTIFIED BY '{password(d)}';
            REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{d.User}'@'%';
            GRANT {Privileges} ON {d.Name}.* TO '{d.User}'@'%';
            """));

    // The passwords stay in the container's environment; the shell puts them into the init file at start.
    private static string ContainerInitScript(ServiceDatabase[] databases) => $"""
        set -e
        cat > /tmp/ticketmaster-init.sql <<SQL
        {GrantStatements(databases, d => "$" + PasswordVariable(d))}
        SQL
        exec docker-entrypoint.sh mysqld --init-file=/tmp/ticketmaster-init.sql
        """;

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalMariaDb(this IDistributedApplicationBuilder builder, string name,
        LocalServers local, ParameterResource password, Dictionary<ServiceDatabase, ParameterResource> users, out EndpointReference endpoint)
    {
        var dataDir = local.Options.DataDirFor(name);
        var files = new MariaDbFiles(dataDir);
        var server = new MariaDbServerResource(name, local.Binaries.Mariadbd, dataDir, password);
        endpoint = server.PrimaryEndpoint;

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
            {
                var passwords = new Dictionary<ServiceDatabase, string>();
                foreach (var (database, userPassword) in users)
                {
                    passwords[database] = await userPassword.GetValueAsync(cancellationToken) ?? "";
                }
                var grants = GrantStatements(users.Keys, d => passwords[d]);
                await files.PrepareAsync(local, await resource.Password.GetValueAsync(cancellationToken) ?? "", grants, cancellationToken);
            })
            .WithHealthCheck(builder.AddReadinessCheck(name, cancellationToken => QueryAsync(server, cancellationToken)));
    }

    // Files of one local MariaDB instance under its data directory.
    private sealed class MariaDbFiles(string root)
    {
        public string DefaultsFile => Path.Combine(root, "my.cnf");
        private string DataDir => Path.Combine(root, "data");
        private string InitFile => Path.Combine(root, "init.sql");

        public async Task PrepareAsync(LocalServers local, string password, string grants, CancellationToken cancellationToken)
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

            // Runs at every start with full privileges: it (re)sets the generated passwords, so a kept data
            // directory never locks us out, and creates each service's database and user.
            await PrivateFile.WriteAsync(InitFile, $"""
                ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY '{password}';
                ALTER USER IF EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '{password}';
                ALTER USER IF EXISTS 'root'@'::1' IDENTIFIED BY '{password}';
                DROP USER IF EXISTS ''@'localhost';
                {grants}
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

    // Ready means the server answers a query with the generated administrator password.
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
public sealed class MySqlContainerResource(string name, ParameterResource password)
    : ContainerResource(name), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};User ID=root;Password={password}");
}

// One service's database on the server, reached as the service's own user: the service's ConnectionStrings__{name}.
public sealed class MySqlDatabaseResource(string name, string userName, ParameterResource password, EndpointReference server, IResource parent)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent
{
    public IResource Parent => parent;

    public string UserName => userName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={server.Property(EndpointProperty.Host)};Port={server.Property(EndpointProperty.Port)};User ID={userName};Password={password};Database={Name}");
}
