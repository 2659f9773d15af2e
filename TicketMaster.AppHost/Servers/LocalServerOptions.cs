using Microsoft.Extensions.Configuration;

namespace TicketMaster.AppHost.Servers;

// Where the local servers keep their data and where their binaries are looked up.
// TicketMaster:DataDir — default <repo>/.data (git-ignored); the test fixture passes a fresh temporary folder.
// TicketMaster:ServerBinPath — directories searched for mariadbd, redis-server, epmd (PATH plus the sbin
//   directories a non-root PATH on Debian lacks).
// TicketMaster:RabbitMqBinDir — RabbitMQ's own scripts; the /usr/sbin wrappers switch user and HOME when run as root.
// TicketMaster:FastUnsafeStorage — trade durability for speed (tests only: their data is thrown away).
public sealed record LocalServerOptions(string DataDir, IReadOnlyList<string> BinPath, string RabbitMqBinDir, bool FastUnsafeStorage)
{
    public static LocalServerOptions From(IConfiguration configuration, string appHostDirectory)
    {
        var section = configuration.GetSection("TicketMaster");
        var dataDir = section["DataDir"] ?? Path.Combine(appHostDirectory, "..", ".data");
        var binPath = section["ServerBinPath"]
            ?? string.Join(Path.PathSeparator, Environment.GetEnvironmentVariable("PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return new LocalServerOptions(
            Path.GetFullPath(dataDir),
            binPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries),
            section["RabbitMqBinDir"] ?? "/usr/lib/rabbitmq/bin",
            section.GetValue("FastUnsafeStorage", false));
    }

    public string DataDirFor(string resourceName)
    {
        var dir = Path.Combine(DataDir, resourceName);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
