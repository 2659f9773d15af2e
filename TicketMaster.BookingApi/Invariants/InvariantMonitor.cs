using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace TicketMaster.BookingApi.Invariants;

// Exports each active sale's invariant check as the OpenTelemetry gauge ticketmaster.booking.invariant_violations
// (tag event_id; it must stay 0) and keeps the latest reports for the admin endpoint. An event is watched for ten
// minutes after its last reserve in this process.
public sealed class InvariantMonitor : BackgroundService
{
    private static readonly TimeSpan WatchFor = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<long, DateTime> _watched = new();
    private readonly ConcurrentDictionary<long, InvariantReport> _latest = new();
    private readonly SaleInvariants _invariants;
    private readonly IOptions<BookingOptions> _options;
    private readonly ILogger<InvariantMonitor> _logger;

    public InvariantMonitor(SaleInvariants invariants, IMeterFactory meters, IOptions<BookingOptions> options, ILogger<InvariantMonitor> logger)
    {
        _invariants = invariants;
        _options = options;
        _logger = logger;
        meters.Create("TicketMaster").CreateObservableGauge("ticketmaster.booking.invariant_violations",
            () => _latest.Values.Select(r => new Measurement<int>(r.Violations, new KeyValuePair<string, object?>("event_id", r.EventId))),
            unit: "{violation}", description: "Seats sold twice, held beyond capacity, or held by one fan while sold to another, per event");
    }

    public void Watch(long eventId) => _watched[eventId] = DateTime.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.InvariantCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (eventId, touched) in _watched)
            {
                if (DateTime.UtcNow - touched > WatchFor)
                {
                    _watched.TryRemove(eventId, out _);
                    _latest.TryRemove(eventId, out _);
                    continue;
                }
                try
                {
                    if (await _invariants.CheckAsync(eventId, stoppingToken) is { } report)
                    {
                        _latest[eventId] = report;
                        if (report.Violations > 0)
                        {
                            _logger.LogError("Booking invariants violated for event {EventId}: {Report}", eventId, report);
                        }
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "Invariant check of event {EventId} failed", eventId);
                }
            }
        }
    }
}
