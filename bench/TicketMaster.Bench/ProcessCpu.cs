using System.Globalization;

namespace TicketMaster.Bench;

// Where the CPU of a measured phase went, per program (BookingApi, the benchmark's own client, Aspire's proxy,
// Redis, MariaDB, RabbitMQ …). Everything shares this machine's cores, so a ratio against hello-world also
// compares how the phases split the cores; this shows what a request costs each part. Linux only (/proc).
public static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux the benchmark targets

    /// <summary>CPU seconds used so far, summed per program name.</summary>
    private static Dictionary<string, double> Snapshot()
    {
        var totals = new Dictionary<string, double>();
        if (!Directory.Exists("/proc"))
        {
            return totals;
        }
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out _))
            {
                continue;
            }
            try
            {
                var name = ProgramName(File.ReadAllText(Path.Combine(directory, "cmdline")));
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // Fields after the parenthesised command name (which may contain spaces): utime is the 14th, stime the 15th.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                totals[name] = totals.GetValueOrDefault(name) + ticks / TicksPerSecond;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while being read.
            }
        }
        return totals;
    }

    /// <summary>CPU used per program while the phases measured through it ran, and the operations they completed.</summary>
    public sealed class Tally
    {
        private readonly Dictionary<string, double> _seconds = [];
        private long _operations;

        public async Task<T> MeasureAsync<T>(Func<Task<T>> phase, Func<T, long> operations)
        {
            var before = Snapshot();
            var result = await phase();
            foreach (var (name, seconds) in Snapshot())
            {
                var used = seconds - before.GetValueOrDefault(name);
                if (used > 0)
                {
                    _seconds[name] = _seconds.GetValueOrDefault(name) + used;
                }
            }
            _operations += operations(result);
            return result;
        }

        /// <summary>"0.39 ms CPU per operation = BookingApi 0.18 + Bench 0.10 + …" (programs with at least 2 % of it).</summary>
        public override string ToString()
        {
            if (_operations == 0 || _seconds.Count == 0)
            {
                return "n/a";
            }
            var total = _seconds.Values.Sum();
            var parts = _seconds.Where(p => p.Value >= total * 0.02).OrderByDescending(p => p.Value)
                .Select(p => $"{p.Key} {p.Value * 1000 / _operations:F3}");
            return $"{total * 1000 / _operations:F3} ms CPU per operation = {string.Join(" + ", parts)}";
        }
    }

    // "dotnet /x/TicketMaster.BookingApi.dll" → TicketMaster.BookingApi; "/usr/sbin/mariadbd --…" → mariadbd.
    private static string ProgramName(string commandLine)
    {
        var args = commandLine.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        if (args.Length == 0)
        {
            return "kernel";
        }
        // Some servers rewrite their title ("redis-server 127.0.0.1:6379"): the program is its first word.
        var program = Path.GetFileName(args[0].Split(' ')[0]);
        if (program == "dotnet" && args.Length > 1)
        {
            program = Path.GetFileNameWithoutExtension(args[1]);
        }
        return program.Replace("TicketMaster.", "", StringComparison.Ordinal);
    }
}
