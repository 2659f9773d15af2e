using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TicketMaster.BookingApi.Seats;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.WaitingRoom;

// Lets fans in once an event's sale is open, at the rate AdmissionController decides each tick from the free seats,
// the fans let in within the hold time and the booking path's latency, until it sells out. Every replica runs this
// loop but only the holder of a short Redis lease admits, so the rate is not multiplied by the replica count; if that
// replica dies the lease lapses and another one takes over within a couple of seconds, from the rate and the window
// of fans let in that the last holder left in Redis.
public sealed class AdmissionLoop(IConnectionMultiplexer redis, WaitingRoomStore rooms, SeatCatalog catalog, SeatMapCache seatMaps,
    BookingPathLatency latency, IOptions<WaitingRoomOptions> options, IOptions<BookingOptions> booking, IMeterFactory meters,
    ILogger<AdmissionLoop> logger) : BackgroundService
{
    // Eight ticks: a replica that stops renewing hands over within a couple of seconds.
    private readonly Lease _lease = new(redis, WaitingRoomKeys.AdmissionLeader, options.Value.AdmissionTick * 8);
    private readonly Dictionary<long, double> _credit = [];
    private readonly Dictionary<long, AdmissionDecision> _decisions = [];
    private readonly Lock _gauge = new();

    /// <summary>The rate each event admits at on this replica (only the lease holder's are non-empty), with the reason.</summary>
    public IReadOnlyList<Measurement<double>> Rates()
    {
        lock (_gauge)
        {
            return _decisions.Select(d => new Measurement<double>(d.Value.Rate,
                new KeyValuePair<string, object?>("event_id", d.Key), new KeyValuePair<string, object?>("reason", d.Value.Reason))).ToList();
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        meters.Create("TicketMaster").CreateObservableGauge("ticketmaster.waiting_room.admission_rate", Rates, "{fan}/s",
            "The fans per second each waiting room lets in, and why (reason: rising, at_maximum, falling, waiting_for_seats, sold_out).");
        return base.StartAsync(cancellationToken);
    }

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
                    lock (_gauge)
                    {
                        _decisions.Clear();
                    }
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
        var p95 = await latency.WorstP95Async();
        foreach (var member in await db.SetMembersAsync(WaitingRoomKeys.Active))
        {
            var eventId = (long)member;
            var sale = await catalog.GetSaleAsync(eventId, [], cancellationToken);
            if (sale is not { WaitingRoom: true } || sale.StatusAt(DateTimeOffset.UtcNow) != EventStatuses.Scheduled)
            {
                await db.SetRemoveAsync(WaitingRoomKeys.Active, member);
                Forget(eventId);
                continue;
            }
            if (!sale.OnSale(DateTimeOffset.UtcNow))
            {
                continue;
            }

            // Fans let in within the hold time may still take a seat: together they may not outnumber the free seats.
            // Less the reservations made in that time: a fan holding seats took them out of the free ones, and if they
            // come back (a hold released or lapsed) that fan walked away or lost them; a fan who never reserves counts.
            var inFlight = await rooms.InFlightAsync(eventId, sale, sale.HoldTime ?? booking.Value.HoldTtl);
            var free = await FreeSeatsAsync(eventId, sale, inFlight, cancellationToken);
            var limits = await rooms.LimitsAsync(eventId);
            // A replica new to the lease goes on from the last decision saved (it lives 10 s), not from the minimum.
            var lastRate = _decisions.TryGetValue(eventId, out var last) ? last.Rate : (await rooms.DecisionAsync(eventId))?.AdmissionsPerSecond ?? 0;
            var decision = AdmissionController.Next(lastRate, limits,
                new AdmissionSignals(free, inFlight, p95), options.Value.LatencyObjective.TotalMilliseconds, seconds);
            lock (_gauge)
            {
                _decisions[eventId] = decision;
            }
            await rooms.SaveDecisionAsync(new AdmissionStatus(eventId, decision.Rate, decision.Reason, decision.Detail, limits.Min, limits.Max, free,
                inFlight, p95, options.Value.LatencyObjective.TotalMilliseconds, DateTimeOffset.UtcNow));

            // Whole fans only: the fraction carries over to the next tick (and is dropped while nobody may come in).
            var credit = decision.Rate > 0 ? _credit.GetValueOrDefault(eventId) + seconds * decision.Rate : 0;
            var admit = Math.Min(Math.Floor(credit), free - inFlight);
            _credit[eventId] = credit - Math.Max(0, admit);
            if (admit > 0)
            {
                using var work = BackgroundTracing.Work("waiting room admit");
                work.Activity?.SetTag("ticketmaster.event_id", eventId);
                work.Activity?.SetTag("ticketmaster.admitted", (long)admit);
                work.Activity?.SetTag("ticketmaster.admission_reason", decision.Reason);
                await rooms.AdmitAsync(eventId, sale, (long)admit);
            }
        }
    }

    // Seats nobody holds or bought. Counting holds means reading the seat map (one Redis lookup per unsold seat), so
    // while the unsold seats less all that the fans let in could hold still outnumber those fans, that lower bound
    // is enough; near the end the map gives the exact count (fans are reading it then anyway: it is cached).
    private async Task<long> FreeSeatsAsync(long eventId, EventSale sale, long inFlight, CancellationToken cancellationToken)
    {
        var unsold = sale.Capacity - await redis.GetDatabase().SetLengthAsync(Reservations.HoldKeys.Sold(eventId));
        var atLeast = unsold - inFlight * sale.MaxTicketsPerUser;
        if (atLeast > inFlight)
        {
            return atLeast;
        }
        return (await seatMaps.GetAsync(eventId, cancellationToken))?.Map.Seats.Count(s => s.Status == "available") ?? 0;
    }

    private void Forget(long eventId)
    {
        _credit.Remove(eventId);
        lock (_gauge)
        {
            _decisions.Remove(eventId);
        }
    }
}
