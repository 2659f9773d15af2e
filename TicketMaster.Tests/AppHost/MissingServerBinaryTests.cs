using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.AppHost;

public sealed class MissingServerBinaryTests
{
    [Fact]
    public async Task A_missing_server_binary_stops_the_AppHost_at_once_with_one_line_naming_the_package()
    {
        // An empty directory as the only place to look for server binaries: mariadbd is the first one needed.
        var emptyBinDir = Directory.CreateTempSubdirectory("ticketmaster-nobin-").FullName;
        var dataDir = Directory.CreateTempSubdirectory("ticketmaster-nodata-").FullName;

        AppHostProcess.Result run;
        try
        {
            run = await AppHostProcess.RunAsync(
                [$"--TicketMaster:ServerBinPath={emptyBinDir}", $"--TicketMaster:DataDir={dataDir}"],
                TimeSpan.FromSeconds(60));
            Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
        }
        finally
        {
            Directory.Delete(emptyBinDir, recursive: true);
            Directory.Delete(dataDir, recursive: true);
        }

        Assert.Equal(1, run.ExitCode);
        var errorLines = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(errorLines);
        Assert.Contains("'mariadbd' was not found", line);
        Assert.Contains("apt-get install -y mariadb-server", line);
        Assert.DoesNotContain("Distributed application started", run.StandardOutput);
    }
}
