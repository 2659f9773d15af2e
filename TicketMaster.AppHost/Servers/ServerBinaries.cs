namespace TicketMaster.AppHost.Servers;

// The Debian binaries the local servers run from, resolved once at start-up so that a missing package
// stops the AppHost with one clear line instead of a resource failing later in the dashboard.
public sealed record ServerBinaries(string Mariadbd, string MariadbInstallDb, string RedisServer, string Epmd, string RabbitMqServer, string Python)
{
    // Debian's python3-aiosmtpd installs for the system interpreter; another python3 first on PATH may lack it.
    private const string SystemPython = "/usr/bin/python3";
    private const string Aiosmtpd = "/usr/lib/python3/dist-packages/aiosmtpd/__init__.py";

    public static ServerBinaries Resolve(LocalServerOptions options)
    {
        return new ServerBinaries(
            Find(options.BinPath, "mariadbd", "mariadb-server"),
            Find(options.BinPath, "mariadb-install-db", "mariadb-server"),
            Find(options.BinPath, "redis-server", "redis-server"),
            Find(options.BinPath, "epmd", "rabbitmq-server"),
            Find([options.RabbitMqBinDir], "rabbitmq-server", "rabbitmq-server"),
            File.Exists(SystemPython) && File.Exists(Aiosmtpd) ? SystemPython
                : throw new MissingServerBinaryException("TicketMaster: the SMTP server (aiosmtpd) was not found; install it with: sudo apt-get install -y python3-aiosmtpd"));
    }

    private static string Find(IEnumerable<string> directories, string binary, string debianPackage)
    {
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new MissingServerBinaryException(
            $"TicketMaster: '{binary}' was not found; install it with: sudo apt-get install -y {debianPackage}");
    }
}

public sealed class MissingServerBinaryException(string message) : Exception(message);
