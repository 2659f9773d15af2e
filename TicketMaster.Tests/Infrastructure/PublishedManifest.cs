using System.Text.Json;

namespace TicketMaster.Tests.Infrastructure;

/// <summary>The AppHost's publish-mode manifest, generated once per test run (`--publisher manifest`).</summary>
public static class PublishedManifest
{
    public static Lazy<Task<JsonElement>> Instance { get; } = new(GenerateAsync);

    private static async Task<JsonElement> GenerateAsync()
    {
        var outputDir = Directory.CreateTempSubdirectory("ticketmaster-manifest-").FullName;
        try
        {
            var output = Path.Combine(outputDir, "aspire-manifest.json");
            var run = await AppHostProcess.RunAsync(["--publisher", "manifest", "--output-path", output], TimeSpan.FromMinutes(2));
            Assert.True(run.ExitCode == 0, $"Publishing failed ({run.ExitCode}): {run.StandardOutput}{run.StandardError}");
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            return document.RootElement.Clone();
        }
        finally
        {
            Directory.Delete(outputDir, recursive: true);
        }
    }
}
