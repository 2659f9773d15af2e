namespace TicketMaster.BookingApi;

public static class BackgroundPasses
{
    /// <summary>
    /// Runs <paramref name="pass"/> until the host stops, <paramref name="interval"/> apart; a pass that failed is
    /// logged and the next one comes at the next interval. A pass that returns true found more work than it took and
    /// is followed by the next at once.
    /// </summary>
    public static async Task RunAsync(Func<CancellationToken, Task<bool>> pass, Func<TimeSpan> interval, ILogger logger, string what,
        CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = await pass(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "{What} failed; retrying at the next interval", what);
            }
            if (!more)
            {
                await Task.Delay(interval(), stoppingToken);
            }
        }
    }
}
