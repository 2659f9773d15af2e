using System.Diagnostics;

namespace TicketMaster.Tests.Infrastructure;

/// <summary>Polls until a condition holds: for what background work (the writer, the reconciler) needs a moment to do.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, $"not within {timeout.TotalSeconds:F0} s: {because}");
            await Task.Delay(250);
        }
    }
}
