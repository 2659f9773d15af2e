using StackExchange.Redis;

namespace TicketMaster.AppHost.Servers;

public static class RedisServerExtensions
{
    // Holds must never be evicted silently: Redis refuses writes when full (the services answer 503) and its memory use
    // is part of BookingApi's health. 384 MB leaves the Kubernetes container (512 Mi limit) room for its own overhead.
    private const string MaxMemory = "384mb";
    private static readonly string MemoryLimit = $"maxmemory {MaxMemory}\nmaxmemory-policy noeviction\n";

    /// <summary>Redis under <paramref name="name"/>: redis-server locally, Aspire's Redis container when published.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, LocalServers? local)
    {
        if (local is null)
        {
            // The same memory rule in the container: Aspire's arguments are one `sh -c` command line, extended here.
            return builder.AddRedis(name).WithDataVolume($"ticketmaster-{name}-data")
                .WithArgs(context => context.Args[^1] = $"{context.Args[^1]} --maxmemory {MaxMemory} --maxmemory-policy noeviction");
        }

        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var server = new RedisServerResource(name, local.Binaries.RedisServer, local.Options.DataDirFor(name), password);

        // Holds expire by TTL, so losing Redis loses only unconfirmed holds; still, run mode keeps an
        // append-only file so a restart of the AppHost does not drop them. Tests keep nothing.
        var persistence = local.Options.FastUnsafeStorage ? "no" : "yes";

        // The password goes into a private config file, not onto the command line where ps shows it.
        var configFile = Path.Combine(server.WorkingDirectory, "redis.conf");

        return builder.AddResource(server)
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--dir");
                context.Args.Add(server.WorkingDirectory);
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add(persistence);
                context.Args.Add("--daemonize");
                context.Args.Add("no");
            })
            // Not proxied: a proxy hop per Redis command is not what production has (see the MariaDB endpoint).
            .WithEndpoint(name: RedisServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .OnBeforeResourceStarted(async (resource, _, cancellationToken) =>
                await PrivateFile.WriteAsync(configFile, $"requirepass {await resource.Password.GetValueAsync(cancellationToken)}\nnotify-keyspace-events Ex\n{MemoryLimit}", cancellationToken))
            .WithHealthCheck(builder.AddReadinessCheck(name, cancellationToken => PingAsync(server, cancellationToken)));
    }

    // Ready means an authenticated PING answers.
    private static async Task PingAsync(RedisServerResource server, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse((await server.ConnectionStringExpression.GetValueAsync(cancellationToken))!);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 3000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        await connection.GetDatabase().PingAsync();
    }
}
