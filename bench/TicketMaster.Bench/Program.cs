using TicketMaster.Bench;

// dotnet run -c Release --project bench/TicketMaster.Bench -- catalog [--events N] [--seconds S] [--concurrency C]
//                                                            booking [--seconds S] [--concurrency C]
var command = args.FirstOrDefault() ?? "catalog";
int Option(string name, int fallback) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;

switch (command)
{
    case "catalog":
        await CatalogBench.RunAsync(Option("--events", 100_000), TimeSpan.FromSeconds(Option("--seconds", 10)), Option("--concurrency", 32));
        return 0;
    case "booking":
        await BookingBench.RunAsync(TimeSpan.FromSeconds(Option("--seconds", 10)), Option("--concurrency", 32));
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{command}' (known: catalog, booking)");
        return 2;
}
