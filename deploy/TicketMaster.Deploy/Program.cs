using System.Text.Json;
using TicketMaster.Deploy;

// dotnet run --project deploy/TicketMaster.Deploy -- <aspire-manifest.json> <output dir, e.g. deploy/k8s>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: TicketMaster.Deploy <aspire-manifest.json> <output-dir>");
    return 2;
}

using var manifest = JsonDocument.Parse(File.ReadAllText(args[0]));
var files = KustomizeGenerator.Generate(manifest.RootElement);
foreach (var (path, content) in files)
{
    var target = Path.Combine(args[1], path);
    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
    File.WriteAllText(target, content);
}
Console.WriteLine($"wrote {files.Count} files under {args[1]}");
return 0;
