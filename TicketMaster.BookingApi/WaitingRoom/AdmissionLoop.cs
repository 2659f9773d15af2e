using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.BookingApi.Seats;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.WaitingRoom;

// Lets fans in at each event's rate once its sale is open, until it sells out. Every replica runs this loop but
// only the holder of a short Redis lease admits, so the rate is not multiplied by the replica count; if that
// replica dies the lease lapses and another one takes over within a couple of seconds.
public sealed class AdmissionLoop(IConnectionMultiplexer redis, WaitingRoomStore rooms, SeatCatalog catalog,
    IOptions<WaitingRoomOptions> options, ILogger<AdmissionLoop> logger) : BackgroundService
{
    // Eight ticks: a replica that stops renewing hands over within a couple of seconds.
    private readonly Lease _lease = new(redis, WaitingRoomKeys.AdmissionLeader, options.Value.AdmissionTick * 8);
    private readonly Dictionary<long, double> _credit = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = options.Value.AdmissionTick;
        using var timer = new PeriodicTimer(tick);
        var clock = Stopwatch.StartNew();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var elapsed = clock.Elapsed.TotalSeconds;
            clock.Restart();
            try
            {
                using var quiet = BackgroundTracing.Quiet();
                if (await _lease.HoldAsync())
                {
                    await AdmitAsync(Math.Min(elapsed, 2 * tick.TotalSeconds), stoppingToken);
                }
                else
                {
                    _credit.Clear();
                }
            }
            catch (Exception ex) when (ex is RedisException or MySqlConnector.MySqlException or TimeoutException)
            {
                logger.LogWarning(ex, "Admission pass failed; trying again next tick");
            }
        }
    }

    private async Task AdmitAsync(double seconds, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        foreach (var member in await db.SetMembersAsync(WaitingRoomKeys.Active))
        {
            var eventId = (long)member;
            var sale = await catalog.GetSaleAsync(eventId, [], cancellationToken);
            if (sale is not { WaitingRoom: true } || sale.StatusAt(DateTimeOffset.UtcNow) != EventStatuses.Scheduled)
            {
                await db.SetRemoveAsync(WaitingRoomKeys.Active, member);
                continue;
            }
            if (!sale.OnSale(DateTimeOffset.UtcNow) || await rooms.SoldOutAsync(eventId, sale))
            {
                continue;
            }
            // Whole fans only: the fraction carries over to the next tick.
            var credit = _credit.GetValueOrDefault(eventId) + seconds * await rooms.RateAsync(eventId);
            var admit = Math.Floor(credit);
            _credit[eventId] = credit - admit;
            if (admit > 0)
            {
                using var work = BackgroundTracing.Work("waiting room admit");
                work.Activity?.SetTag("ticketmaster.event_id", eventId);
                work.Activity?.SetTag("ticketmaster.admitted", (long)admit);
                await rooms.AdmitAsync(eventId, sale, (long)admit);
            }
        }
    }
}
