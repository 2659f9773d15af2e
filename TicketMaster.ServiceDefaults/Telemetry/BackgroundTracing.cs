using System.Diagnostics;
using OpenTelemetry;

namespace TicketMaster.ServiceDefaults.Telemetry;

// A background loop polls far more often than it finds work: traced, its polls bury the requests people made on the
// dashboard. A loop runs each poll under Quiet() and the work a poll found under Work(name), a trace of its own.
// Quiet() does two things, because clients record spans two ways: it suppresses instrumentation (MySQL, RabbitMQ and
// HTTP clients check that when a call starts), and it makes an unrecorded activity current, for the Redis client, whose
// spans are made later from profiling sessions kept per current activity: under a parent-based sampler (the services'
// default) the children of an unrecorded parent are not recorded either.
public static class BackgroundTracing
{
    public static readonly ActivitySource Source = new("TicketMaster");

    public static Scope Quiet()
    {
        var suppressed = SuppressInstrumentationScope.Begin();
        var outer = Activity.Current;
        Activity.Current = null;
        // Not from an ActivitySource: no listener sees it, and its trace flags say "not recorded".
        var unrecorded = new Activity("background poll").SetIdFormat(ActivityIdFormat.W3C).Start();
        return new Scope(suppressed, unrecorded, outer);
    }

    public static Scope Work(string name)
    {
        var recorded = SuppressInstrumentationScope.Begin(false);
        var outer = Activity.Current;
        // A root of its own: the poll that found the work is not recorded, so it can be no parent.
        Activity.Current = null;
        return new Scope(recorded, Source.StartActivity(name, ActivityKind.Internal), outer);
    }

    public readonly struct Scope(IDisposable suppression, Activity? activity, Activity? outer) : IDisposable
    {
        public Activity? Activity { get; } = activity;

        public void Dispose()
        {
            Activity?.Dispose();
            Activity.Current = outer;
            suppression.Dispose();
        }
    }
}
