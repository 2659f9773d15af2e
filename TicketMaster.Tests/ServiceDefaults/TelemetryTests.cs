using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.ServiceDefaults;

[Collection(AppHostCollection.Name)]
public sealed class TelemetryTests(AppHostFixture fixture)
{
    // Roots an idle system may still record: work a background loop found (named by the service), never a poll's
    // bare database, cache or broker call.
    private static readonly string[] BackgroundWork = ["payment capture", "payment void", "waiting room admit", "seat hold expired"];

    [Fact]
    public async Task An_idle_system_records_no_trace_of_its_background_polls()
    {
        // Earlier tests' holds lapse within a hold's lifetime; their announcements are work, not polls, but wait them out.
        await Task.Delay(AppHostFixture.HoldTtl + TimeSpan.FromSeconds(1));
        var from = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5); // spans of earlier requests still on their way

        // Long enough for every loop to tick: payments each second, pruning every 2 s, admission every 250 ms,
        // invariants every 10 s, and the AppHost's health probes.
        await Task.Delay(TimeSpan.FromSeconds(12));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var roots = fixture.Traces.Spans.Where(s => s.IsRoot && s.ReceivedAt >= from && s.ReceivedAt < from + TimeSpan.FromSeconds(11)).ToList();
        var polls = roots.Where(s => !BackgroundWork.Contains(s.Name)).ToList();
        Assert.True(polls.Count == 0, $"{polls.Count} traces while idle: " +
            string.Join(", ", polls.GroupBy(s => $"{s.Service} {s.Scope} {s.Name}").Select(g => $"{g.Key} ×{g.Count()}")));
        Assert.NotEmpty(fixture.Traces.Spans); // the collector does receive spans
    }

    [Fact]
    public async Task Creating_an_event_is_one_trace_from_eventsapi_through_mysql_to_the_indexer()
    {
        var since = DateTimeOffset.UtcNow;
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Traced Hall " + catalog.Tag, "Leeds", ("Floor", 1, 2));
        await catalog.EventAsync(venue, "Traced " + catalog.Tag, new DateTimeOffset(2031, 3, 1, 19, 0, 0, TimeSpan.Zero));

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        List<TraceCollector.Span> spans;
        while (true)
        {
            spans = fixture.Traces.Spans.Where(s => s.ReceivedAt >= since).ToList();
            var traced = spans.Where(s => s.IsRoot && s.Service == "eventsapi" && s.Name.StartsWith("POST /v1/events", StringComparison.Ordinal) && !s.Name.Contains("{", StringComparison.Ordinal))
                .Select(root => spans.Where(s => s.TraceId == root.TraceId).ToList())
                .Any(trace => trace.Any(s => s.Service == "eventsapi" && s.Scope == "MySqlConnector") && trace.Any(s => s.Service == "indexer"));
            if (traced)
            {
                return;
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, "no POST /v1/events trace crossing eventsapi's MySQL calls and the indexer; roots: " +
                string.Join(", ", spans.Where(s => s.IsRoot).GroupBy(s => $"{s.Service} {s.Scope} {s.Name}").Select(g => $"{g.Key} ×{g.Count()}")) +
                "; indexer spans: " + string.Join(", ", spans.Where(s => s.Service == "indexer").Select(s => $"{s.Scope} {s.Name}").Distinct()));
            await Task.Delay(250);
        }
    }
}
