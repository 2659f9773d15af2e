using System.Diagnostics;

namespace TicketMaster.Tests.Infrastructure;

// Runs the built AppHost as a user would (`dotnet run --project TicketMaster.AppHost -- ...`), for the
// behaviours that only show in a separate process: publish mode and the missing-binary exit.
public static class AppHostProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Result> RunAsync(IEnumerable<string> appHostArgs, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var arg in new[] { "run", "--no-build", "-c", RepositoryPaths.Configuration, "--project", RepositoryPaths.AppHostProject, "--" })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var arg in appHostArgs)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The AppHost did not exit within {timeout}. Output so far: {await stdout}{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
