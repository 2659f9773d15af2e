using TicketMaster.Bench;
using TicketMaster.Onsale;

// dotnet run -c Release --project bench/TicketMaster.Bench -- catalog [--events N] [--seconds S] [--concurrency C]
//                                                            booking [--seconds S] [--concurrency C] [--write-path Queued|Direct]
//                                                            onsale [--seats N] [--users M] [--mode best|pick] [--rate A]
//                                                                   [--concurrency C] [--hold-ttl S] [--write-path Queued|Direct]
//                                                                   [--plot file.png]
//                                                            sse [--clients N] [--stream seats|queue] [--path transport|pipeline] [--hold S]
// Every benchmark also passes --TicketMaster:...=value arguments on to the AppHost (e.g. the trace sampler).
var command = args.FirstOrDefault() ?? "catalog";
string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Option(string name, int fallback) => int.TryParse(Text(name), out var value) ? value : fallback;

switch (command)
{
    case "catalog":
        await CatalogBench.RunAsync(Option("--events", 100_000), TimeSpan.FromSeconds(Option("--seconds", 10)), Option("--concurrency", 32));
        return 0;
    case "booking":
        // --seconds: each of the three hello-world and reserve rounds, and the confirm and raw-database phases.
        await BookingBench.RunAsync(TimeSpan.FromSeconds(Option("--seconds", 5)), Option("--concurrency", 32), Text("--write-path"));
        return 0;
    case "onsale":
        var seats = Option("--seats", 2_000);
        var options = new OnsaleOptions(seats, Option("--users", 10_000))
        {
            Concurrency = Option("--concurrency", 64),
            // The most fans let in per second: the waiting room adapts below it to the booking path and the seats left.
            AdmissionsPerSecond = Option("--rate", Math.Clamp(seats / 25, 50, 2_000)),
            // The event's hold time: the shortest an owner may set (2 min).
            HoldTtl = TimeSpan.FromSeconds(Option("--hold-ttl", 120)),
            Mode = Text("--mode") ?? OnsaleModes.Best,
        };
        if (options.Mode is not (OnsaleModes.Best or OnsaleModes.Pick))
        {
            Console.Error.WriteLine($"unknown --mode '{options.Mode}' (known: best, pick)");
            return 2;
        }
        return await OnsaleBench.RunAsync(options, Text("--write-path") ?? "Queued", Text("--plot") ?? "onsale.png");
    case "sse":
        var stream = Text("--stream") ?? "seats";
        if (stream is not ("seats" or "queue"))
        {
            Console.Error.WriteLine($"unknown --stream '{stream}' (known: seats, queue)");
            return 2;
        }
        var path = Text("--path") ?? "transport";
        if (path is not ("transport" or "pipeline"))
        {
            Console.Error.WriteLine($"unknown --path '{path}' (known: transport, pipeline)");
            return 2;
        }
        await SseBench.RunAsync(Option("--clients", 5_000), stream, path == "pipeline", Option("--hold", 0));
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{command}' (known: catalog, booking, onsale, sse)");
        return 2;
}
