using System.Globalization;
using System.Text.RegularExpressions;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.Seats;

// A lapsed hold is announced as "expired" when Redis expires its key (keyspace notification), not by polling.
// Every replica hears the notification; a short SET NX decides which one publishes it.
public sealed partial class HoldExpiryListener(
    IConnectionMultiplexer redis, SeatEvents seatEvents, IConfiguration configuration, ILogger<HoldExpiryListener> logger)
    : BackgroundService
{
    [GeneratedRegex(@"^tm:\{(\d+)\}:hold:(\d+)$")]
    private static partial Regex HoldKey();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await EnableExpiryNotificationsAsync();

        var channel = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Pattern("__keyevent@*__:expired"));
        channel.OnMessage(async message =>
        {
            var match = HoldKey().Match((string)message.Message!);
            if (!match.Success)
            {
                return;
            }
            var eventId = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var seatId = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            using var work = BackgroundTracing.Work("seat hold expired");
            work.Activity?.SetTag("ticketmaster.event_id", eventId);
            await seatEvents.AnnounceExpiredAsync(eventId, seatId);
        });
        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        await channel.UnsubscribeAsync();
    }

    // Expiry events need notify-keyspace-events with E and x. The local AppHost configures it; elsewhere we ask
    // once over a short-lived admin connection (CONFIG is an admin command). A managed Redis may refuse: then
    // its own setting applies, and we say so.
    private async Task EnableExpiryNotificationsAsync()
    {
        try
        {
            var options = ConfigurationOptions.Parse(configuration.GetConnectionString("redis")!);
            options.AllowAdmin = true;
            await using var admin = await ConnectionMultiplexer.ConnectAsync(options);
            var server = admin.GetServers().First();
            var current = (await server.ConfigGetAsync("notify-keyspace-events")).FirstOrDefault().Value ?? "";
            if (!(current.Contains('E') && (current.Contains('x') || current.Contains('A'))))
            {
                await server.ConfigSetAsync("notify-keyspace-events", current + "Ex");
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Could not enable Redis keyspace notifications; 'expired' seat events depend on the server's setting");
        }
    }
}
