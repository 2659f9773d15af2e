using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.ServiceDefaults.Http;

/// <summary>What an endpoint's requests count against (endpoint metadata); endpoints without it are not limited.</summary>
public sealed record RateLimited(RateLimitKind Kind);

public enum RateLimitKind
{
    /// <summary>Confirm, release, queue join, check-in: per signed-in user (reserve counts the same limit in its hold script).</summary>
    Writes,
    /// <summary>An organizer's venues, performers, events and staff lists: per signed-in user (a tour is many events at once).</summary>
    CatalogWrites,
    /// <summary>Waiting-room positions, confirmation status, a fan's bookings: per client address.</summary>
    Polling,
    /// <summary>Search, event details, seat maps: per client address.</summary>
    Reads,
    /// <summary>The payment provider's webhook: per client address.</summary>
    Webhook,
    /// <summary>Server-sent event streams: open at once per client address and per process.</summary>
    Streams,
}

/// <summary>
/// RateLimits:* — sized so that a real fan never meets them (a fan reserves, confirms and polls a few times a minute)
/// while a script hammering one endpoint does at once. Windows are fixed, kept in Redis, so the limits hold across
/// replicas. Per-address limits are high because many fans share an address (a venue's Wi-Fi, a mobile carrier's
/// NAT); tests and benchmarks, all fans on one address, raise them further.
/// </summary>
public sealed class RateLimitOptions
{
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
    public int WritesPerUser { get; set; } = 30;
    public int CatalogWritesPerUser { get; set; } = 600;
    public int PollingPerAddress { get; set; } = 3_000;
    public int ReadsPerAddress { get; set; } = 5_000;
    public int WebhookPerAddress { get; set; } = 1_000;
    public int StreamsPerAddress { get; set; } = 200;
    public int StreamsPerProcess { get; set; } = 20_000;
}

public static class RateLimits
{
    public static TBuilder RequireRateLimit<TBuilder>(this TBuilder endpoints, RateLimitKind kind) where TBuilder : IEndpointConventionBuilder =>
        endpoints.WithMetadata(new RateLimited(kind));

    /// <summary>The limits of <see cref="RateLimitOptions"/>; 429 problem details with Retry-After when one is reached.</summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits")
            .Validate(o => o.Window > TimeSpan.Zero && new[] { o.WritesPerUser, o.CatalogWritesPerUser, o.PollingPerAddress, o.ReadsPerAddress,
                o.WebhookPerAddress, o.StreamsPerAddress, o.StreamsPerProcess }.All(limit => limit > 0), "RateLimits:* must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<StreamLimits>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IConnectionMultiplexer, IOptions<RateLimitOptions>, StreamLimits>((options, redis, limits, streams) =>
        {
            options.GlobalLimiter = new RequestLimiter(redis, limits.Value, streams);
            options.OnRejected = (context, _) =>
            {
                var retryAfter = TimeSpan.FromSeconds(context.Lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? seconds : 1);
                return new ValueTask(TooManyRequests(context.HttpContext.Response, retryAfter).ExecuteAsync(context.HttpContext));
            };
        });
        return builder;
    }

    /// <summary>The 429 of every limit: problem details, and Retry-After in whole seconds (at least 1).</summary>
    public static ProblemHttpResult TooManyRequests(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TooManyRequests(seconds);
    }

    /// <summary>The 429's body for a Retry-After of <paramref name="seconds"/> (written by whoever sends the header).</summary>
    public static ProblemHttpResult TooManyRequests(int seconds) =>
        TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: $"Slow down: try again in {seconds} s.");

    // Every limit a request counts against, acquired in order: a Redis window (per user for writes, per address for
    // anonymous requests), or for a stream this process's counts of open streams per address and in all. The library's
    // limiters are made per request (they are two Redis keys and a script), not kept per user: a cache of one limiter
    // per fan would only grow.
    private sealed class RequestLimiter(IConnectionMultiplexer redis, RateLimitOptions limits, StreamLimits streams) : PartitionedRateLimiter<HttpContext>
    {
        public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

        // Redis cannot answer synchronously: "not now" makes the middleware ask AcquireAsync, which does the work.
        protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
            resource.GetEndpoint()?.Metadata.GetMetadata<RateLimited>() is null ? Leases.Granted : Leases.NotYet;

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
        {
            if (resource.GetEndpoint()?.Metadata.GetMetadata<RateLimited>() is not { } limited)
            {
                return Leases.Granted;
            }
            var address = resource.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            var held = new List<RateLimitLease>();
            foreach (var limiter in LimitersOf(limited.Kind, address, resource.User.FindFirst("sub")?.Value))
            {
                var lease = await limiter.AcquireAsync(1, cancellationToken);
                if (!lease.IsAcquired)
                {
                    held.ForEach(l => l.Dispose());
                    return lease;
                }
                held.Add(lease);
            }
            return new Leases.All(held);
        }

        private IEnumerable<RateLimiter> LimitersOf(RateLimitKind kind, string address, string? userId)
        {
            switch (kind)
            {
                // Writes need a signed-in user (authorization ran first) and count per user only: fans sharing an
                // address (a venue's Wi-Fi) never hold each other back.
                case RateLimitKind.Writes when userId is not null:
                    yield return Window($"writes:user:{UserIds.KeyHash(userId)}", limits.WritesPerUser);
                    break;
                case RateLimitKind.CatalogWrites when userId is not null:
                    yield return Window($"catalog:user:{UserIds.KeyHash(userId)}", limits.CatalogWritesPerUser);
                    break;
                case RateLimitKind.Polling:
                    yield return Window($"polling:ip:{address}", limits.PollingPerAddress);
                    break;
                case RateLimitKind.Reads:
                    yield return Window($"reads:ip:{address}", limits.ReadsPerAddress);
                    break;
                case RateLimitKind.Webhook:
                    yield return Window($"webhook:ip:{address}", limits.WebhookPerAddress);
                    break;
                case RateLimitKind.Streams:
                    // Counted in this process: a stream lives on one replica for its whole life, and the library's Redis
                    // concurrency limiter forgets a permit after a minute (a stream lasts far longer).
                    yield return streams.ForAddress(address);
                    yield return streams.ForProcess;
                    break;
            }
        }

        private RedisFixedWindowRateLimiter<string> Window(string key, int permits) =>
            new(key, new RedisFixedWindowRateLimiterOptions { PermitLimit = permits, Window = limits.Window, ConnectionMultiplexerFactory = () => redis });
    }

    /// <summary>
    /// The open-stream counts of this process (RateLimits:StreamsPerAddress, StreamsPerProcess), shared by the
    /// request pipeline's limiter and anything that serves streams outside it.
    /// </summary>
    public sealed class StreamLimits(IOptions<RateLimitOptions> limits) : IDisposable
    {
        private readonly OpenStreams _byAddress = new(limits.Value.StreamsPerAddress);

        public ConcurrencyLimiter ForProcess { get; } = new(new ConcurrencyLimiterOptions { PermitLimit = limits.Value.StreamsPerProcess, QueueLimit = 0 });

        public RateLimiter ForAddress(string address) => _byAddress.For(address);

        /// <summary>Both counts taken for one more stream from <paramref name="address"/> → the lease to dispose when it ends, or null.</summary>
        public RateLimitLease? TryOpen(string address)
        {
            var perAddress = ForAddress(address).AttemptAcquire();
            if (!perAddress.IsAcquired)
            {
                return null;
            }
            var perProcess = ForProcess.AttemptAcquire();
            if (!perProcess.IsAcquired)
            {
                perAddress.Dispose();
                return null;
            }
            return new Leases.All([perAddress, perProcess]);
        }

        public void Dispose() => ForProcess.Dispose();
    }

    /// <summary>Open streams per client address in this process; an address's entry goes when its last stream closes.</summary>
    private sealed class OpenStreams(int perAddress)
    {
        private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

        public RateLimiter For(string address) => new AddressLimiter(this, address);

        private bool TryEnter(string address)
        {
            lock (_open)
            {
                var open = _open.GetValueOrDefault(address);
                if (open >= perAddress)
                {
                    return false;
                }
                _open[address] = open + 1;
                return true;
            }
        }

        private void Exit(string address)
        {
            lock (_open)
            {
                if (_open.TryGetValue(address, out var open) && open > 1)
                {
                    _open[address] = open - 1;
                }
                else
                {
                    _open.Remove(address);
                }
            }
        }

        private sealed class AddressLimiter(OpenStreams streams, string address) : RateLimiter
        {
            public override TimeSpan? IdleDuration => null;
            public override RateLimiterStatistics? GetStatistics() => null;
            protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
                streams.TryEnter(address) ? new Leases.Released(() => streams.Exit(address)) : Leases.NotYet;
            protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
                ValueTask.FromResult(AttemptAcquireCore(permitCount));
        }
    }

    private static class Leases
    {
        public static readonly RateLimitLease Granted = new Simple(true);
        public static readonly RateLimitLease NotYet = new Simple(false);

        /// <summary>Our leases carry no metadata (a refusal from Redis carries the library's Retry-After).</summary>
        public abstract class WithoutMetadata : RateLimitLease
        {
            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }

        private sealed class Simple(bool acquired) : WithoutMetadata
        {
            public override bool IsAcquired => acquired;
        }

        /// <summary>An open-stream count, given back once.</summary>
        public sealed class Released(Action release) : WithoutMetadata
        {
            private int _released;

            public override bool IsAcquired => true;

            protected override void Dispose(bool disposing)
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                {
                    release();
                }
                base.Dispose(disposing);
            }
        }

        /// <summary>Every lease a request holds; disposing it gives back the open-stream counts.</summary>
        public sealed class All(List<RateLimitLease> leases) : WithoutMetadata
        {
            public override bool IsAcquired => true;

            protected override void Dispose(bool disposing)
            {
                leases.ForEach(l => l.Dispose());
                base.Dispose(disposing);
            }
        }
    }
}
