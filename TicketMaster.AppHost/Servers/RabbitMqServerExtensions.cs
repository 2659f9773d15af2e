using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace TicketMaster.AppHost.Servers;

public static class RabbitMqServerExtensions
{
    /// <summary>RabbitMQ under <paramref name="name"/>: rabbitmq-server (+ its own epmd) locally, Aspire's container when published.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRabbitMqServer(
        this IDistributedApplicationBuilder builder, string name, LocalServers? local)
    {
        if (local is null)
        {
            return builder.AddRabbitMQ(name).WithManagementPlugin().WithDataVolume($"ticketmaster-{name}-data");
        }

        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var dataDir = local.Options.DataDirFor(name);
        var files = new RabbitMqFiles(dataDir);

        // Our own epmd on an allocated port: the node would otherwise start a shared `epmd -daemon` that
        // outlives the AppHost (and might be another program's).
        var epmdServer = new EpmdResource($"{name}-epmd", local.Binaries.Epmd, dataDir);
        var epmd = builder.AddResource(epmdServer)
            .WithEndpoint(name: EpmdResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithArgs("-address", "127.0.0.1", "-port", epmdServer.PrimaryEndpoint.Property(EndpointProperty.TargetPort))
            .WithHealthCheck(builder.AddReadinessCheck(epmdServer.Name, cancellationToken => AskEpmdAsync(epmdServer.PrimaryEndpoint, cancellationToken)));

        var server = new RabbitMqServerResource(name, local.Binaries.RabbitMqServer, dataDir, password);
        var amqp = server.PrimaryEndpoint;
        var dist = new EndpointReference(server, RabbitMqServerResource.DistributionEndpointName);
        var management = new EndpointReference(server, RabbitMqServerResource.ManagementEndpointName);

        return builder.AddResource(server)
            // Not proxied: a proxy hop per message is not what production has (see the MariaDB endpoint).
            .WithEndpoint(name: RabbitMqServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithEndpoint(name: RabbitMqServerResource.DistributionEndpointName, scheme: "tcp", isProxied: false)
            .WithHttpEndpoint(name: RabbitMqServerResource.ManagementEndpointName)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                // The CLI and the node must agree on HOME (Erlang cookie), and nothing may come from /etc/rabbitmq.
                env["HOME"] = dataDir;
                env["RABBITMQ_NODENAME"] = "ticketmaster@localhost";
                env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                env["RABBITMQ_NODE_PORT"] = amqp.Property(EndpointProperty.TargetPort);
                env["RABBITMQ_DIST_PORT"] = dist.Property(EndpointProperty.TargetPort);
                env["ERL_EPMD_PORT"] = epmdServer.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
                env["RABBITMQ_BASE"] = dataDir;
                env["RABBITMQ_CONF_ENV_FILE"] = files.EnvFile;
                env["RABBITMQ_CONFIG_FILE"] = files.ConfigFile;
                env["RABBITMQ_ENABLED_PLUGINS_FILE"] = files.EnabledPluginsFile;
                env["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataDir, "mnesia");
                env["RABBITMQ_LOG_BASE"] = Path.Combine(dataDir, "log");
                env["RABBITMQ_PID_FILE"] = Path.Combine(dataDir, "rabbitmq.pid");
                // Keep the distribution port on loopback, and put the management UI on its allocated port.
                env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = ReferenceExpression.Create(
                    $"-kernel inet_dist_use_interface {{127,0,0,1}} -rabbitmq_management tcp_config [{{port,{management.Property(EndpointProperty.TargetPort)}}},{{ip,\"127.0.0.1\"}}]");
            })
            .WithParentRelationship(epmd)
            .WaitFor(epmd)
            .OnBeforeResourceStarted(async (resource, _, cancellationToken) =>
                await files.PrepareAsync(await resource.Password.GetValueAsync(cancellationToken) ?? "", cancellationToken))
            .WithHealthCheck(builder.AddReadinessCheck(name, cancellationToken => HandshakeAsync(server, cancellationToken)));
    }

    private sealed class RabbitMqFiles(string root)
    {
        public string EnvFile => Path.Combine(root, "rabbitmq-env.conf");
        public string ConfigFile => Path.Combine(root, "rabbitmq.conf");
        public string EnabledPluginsFile => Path.Combine(root, "enabled_plugins");
        private string DefinitionsFile => Path.Combine(root, "definitions.json");

        public async Task PrepareAsync(string password, CancellationToken cancellationToken)
        {
            await File.WriteAllTextAsync(EnvFile, "", cancellationToken);
            await File.WriteAllTextAsync(EnabledPluginsFile, "[rabbitmq_management].\n", cancellationToken);
            await File.WriteAllTextAsync(ConfigFile, $"""
                log.console = false
                log.file.level = info
                load_definitions = {DefinitionsFile}
                """, cancellationToken);

            // Definitions are imported at every boot (unlike default_user), so the user's password follows the
            // generated parameter even when the data directory is kept.
            var definitions = new
            {
                users = new[]
                {
                    new { name = RabbitMqServerResource.UserName, password_hash = HashPassword(password), hashing_algorithm = "rabbit_password_hashing_sha256", tags = new[] { "administrator" } },
                },
                vhosts = new[] { new { name = "/" } },
                permissions = new[] { new { user = RabbitMqServerResource.UserName, vhost = "/", configure = ".*", write = ".*", read = ".*" } },
            };
            await PrivateFile.WriteAsync(DefinitionsFile, JsonSerializer.Serialize(definitions), cancellationToken);
        }

        // RabbitMQ's rabbit_password_hashing_sha256: base64(salt ‖ SHA-256(salt ‖ utf8(password))), 4-byte salt.
        private static string HashPassword(string password)
        {
            var salt = RandomNumberGenerator.GetBytes(4);
            var hash = SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)]);
            return Convert.ToBase64String([.. salt, .. hash]);
        }
    }

    // Ready means an AMQP handshake with our user succeeds: the port opens a moment before boot completes.
    private static async Task HandshakeAsync(RabbitMqServerResource server, CancellationToken cancellationToken)
    {
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
        var factory = new ConnectionFactory { Uri = new Uri(connectionString!), RequestedConnectionTimeout = TimeSpan.FromSeconds(3) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
    }

    // epmd answers a NAMES request (length 1, byte 'n') with its port number; a bare connect would only
    // show that something listens, and makes epmd log a "partial packet" error.
    private static async Task AskEpmdAsync(EndpointReference endpoint, CancellationToken cancellationToken)
    {
        var port = int.Parse(await endpoint.Property(EndpointProperty.TargetPort).GetValueAsync(cancellationToken) ?? "");
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        await using var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, cancellationToken);
        var reply = new byte[4];
        await stream.ReadExactlyAsync(reply, cancellationToken);
        if (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(reply) != port)
        {
            throw new InvalidOperationException("epmd answered with another port");
        }
    }
}
