using Microsoft.Extensions.DependencyInjection;

namespace TicketMaster.Tests.Infrastructure;

// Writes every resource's console output (each replica separately) under TICKETMASTER_TEST_LOGS, which test.sh sets
// to .test-results/service-logs: when a test fails on CI, the services' warnings of that run are there to read.
public static class ServiceLogs
{
    public static void StartCapture(DistributedApplication app, CancellationToken stopping)
    {
        var directory = Environment.GetEnvironmentVariable("TICKETMASTER_TEST_LOGS");
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }
        Directory.CreateDirectory(directory);
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        var watched = new HashSet<string>();
        _ = Task.Run(async () =>
        {
            try
            {
                // Replicas are resources of their own ("eventsapi-x1y2"): start a writer for each id as it appears.
                await foreach (var update in app.ResourceNotifications.WatchAsync(stopping))
                {
                    if (watched.Add(update.ResourceId))
                    {
                        _ = WriteAsync(loggers, update.ResourceId, Path.Combine(directory, $"{update.ResourceId}.log"), stopping);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, stopping);
    }

    private static async Task WriteAsync(ResourceLoggerService loggers, string resourceId, string path, CancellationToken stopping)
    {
        try
        {
            await using var file = new StreamWriter(path, append: true) { AutoFlush = true };
            await foreach (var batch in loggers.WatchAsync(resourceId).WithCancellation(stopping))
            {
                foreach (var line in batch)
                {
                    await file.WriteLineAsync(line.Content);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
