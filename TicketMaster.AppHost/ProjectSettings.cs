using Microsoft.Extensions.Configuration;

namespace TicketMaster.AppHost;

public static class ProjectSettings
{
    /// <summary>The JWT signing key both APIs trust, and whether EventsApi may mint dev tokens (local runs only).</summary>
    public static IResourceBuilder<ProjectResource> WithAuth(
        this IResourceBuilder<ProjectResource> project, ParameterResource signingKey, bool devTokens) =>
        project.WithEnvironment("Auth__SigningKey", signingKey)
            .WithEnvironment("Auth__DevTokens", devTokens ? "true" : "false");

    /// <summary>
    /// The site's sign-in: locally the dev sign-in (dev tokens); deployed, OpenID Connect with the identity provider's
    /// authority, client id and secret as parameters (the Secret in Kubernetes), and Stripe's publishable key.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSignIn(this IResourceBuilder<ProjectResource> web, IdentityProvider? provider,
        IDistributedApplicationBuilder builder) =>
        provider is null
            ? web.WithEnvironment("Auth__DevTokens", "true")
            : web.WithEnvironment("Auth__Oidc__Authority", provider.Authority)
                .WithEnvironment("Auth__Oidc__ClientId", provider.ClientId)
                .WithEnvironment("Auth__Oidc__ClientSecret", builder.AddParameter("oidc-client-secret", secret: true))
                .WithEnvironment("Payments__Stripe__PublishableKey", builder.AddParameter("stripe-publishable-key"));

    /// <summary>An API also accepts the tokens the identity provider issues to the site (its audience: the site's client id).</summary>
    public static IResourceBuilder<ProjectResource> WithIdentityProvider(this IResourceBuilder<ProjectResource> api, IdentityProvider? provider) =>
        provider is null
            ? api
            : api.WithEnvironment("Auth__Oidc__Authority", provider.Authority).WithEnvironment("Auth__Oidc__Audience", provider.ClientId);

    /// <summary>
    /// A first run-mode start on empty data gets a small demo catalog (TicketMaster:DemoCatalog, on by default in run
    /// mode); tests turn it off and deployments never have it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDemoCatalog(this IResourceBuilder<ProjectResource> web, IConfiguration configuration,
        Servers.LocalServers? local) =>
        local is not null && configuration.GetValue("TicketMaster:DemoCatalog", true) ? web.WithEnvironment("Demo__Catalog", "true") : web;

    /// <summary>The first key (id k1) of each signing-key ring; a rotation adds k2 and makes it current (docs/OPERATIONS.md).</summary>
    public static IResourceBuilder<ProjectResource> WithSigningKeys(
        this IResourceBuilder<ProjectResource> project, ParameterResource ticketCodeKey, ParameterResource queuePassKey) =>
        project.WithEnvironment("Booking__TicketCodes__Keys__k1", ticketCodeKey)
            .WithEnvironment("Booking__TicketCodes__CurrentKeyId", "k1")
            .WithEnvironment("Booking__QueuePasses__Keys__k1", queuePassKey)
            .WithEnvironment("Booking__QueuePasses__CurrentKeyId", "k1");

    /// <summary>
    /// Deployments pay through Stripe, with the API key and webhook secret from the Secret (BookingApi refuses to
    /// start without a real provider outside Development). Run mode keeps the simulated gateway unless
    /// TicketMaster:Payments:* says otherwise.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPayments(
        this IResourceBuilder<ProjectResource> project, IDistributedApplicationBuilder builder, Servers.LocalServers? local)
    {
        if (local is not null)
        {
            return project;
        }
        return project.WithEnvironment("Payments__Provider", "Stripe")
            .WithEnvironment("Payments__Stripe__ApiKey", builder.AddParameter("stripe-api-key", secret: true))
            .WithEnvironment("Payments__Stripe__WebhookSecret", builder.AddParameter("stripe-webhook-secret", secret: true));
    }

    /// <summary>
    /// TicketMaster:{section}:* become the project's {section}:* settings, e.g. TicketMaster:Booking:HoldTtl →
    /// Booking__HoldTtl, TicketMaster:Payments:Stripe:WebhookSecret → Payments__Stripe__WebhookSecret,
    /// TicketMaster:RateLimits:WritesPerUser → RateLimits__WritesPerUser.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSettings(this IResourceBuilder<ProjectResource> project, IConfiguration configuration,
        params string[] sections)
    {
        foreach (var section in sections)
        {
            foreach (var (key, value) in configuration.GetSection($"TicketMaster:{section}").AsEnumerable(makePathsRelative: true))
            {
                if (value is not null)
                {
                    project.WithEnvironment($"{section}__{key.Replace(":", "__")}", value);
                }
            }
        }
        return project;
    }

    /// <summary>
    /// TicketMaster:BenchEndpoints=true (the benchmarks' AppHost only) maps the services' /bench/* baselines. With
    /// TicketMaster:BenchDirectEndpoints=true a single-replica service is reached without the orchestrator's proxy in
    /// front of it: the stream benchmark's 10,000 connections are more than that proxy keeps up with here, and under the
    /// onsale's load it took a tenth of the two cores.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBenchEndpoints(this IResourceBuilder<ProjectResource> project, IConfiguration configuration)
    {
        if (!configuration.GetValue("TicketMaster:BenchEndpoints", false))
        {
            return project;
        }
        project.WithEnvironment("Bench__Endpoints", "true");
        if (configuration.GetValue("TicketMaster:BenchDirectEndpoints", false) && !project.Resource.Annotations.OfType<ReplicaAnnotation>().Any(r => r.Replicas > 1))
        {
            project.WithEndpoint("http", endpoint => endpoint.IsProxied = false);
        }
        return project;
    }

    /// <summary>
    /// TicketMaster:Telemetry:Export=false leaves out the OTLP endpoint: tests and benchmarks run without the dashboard,
    /// and with the endpoint still set every service would serialize its spans, fail to send them and retry from
    /// memory (measured as a real share of the CPU under load). TicketMaster:Telemetry:TracesSampler and
    /// TracesSamplerArg set the standard OTEL_TRACES_SAMPLER(_ARG) (default parentbased_always_on).
    /// TicketMaster:Telemetry:Endpoint sends it to another collector instead, over OTLP/HTTP (the tests' own), every half second.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTelemetrySettings(this IResourceBuilder<ProjectResource> project, IConfiguration configuration)
    {
        var telemetry = configuration.GetSection("TicketMaster:Telemetry");
        return project.WithEnvironment(context =>
        {
            if (!telemetry.GetValue("Export", true))
            {
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
            }
            if (telemetry["Endpoint"] is { Length: > 0 } endpoint)
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "500";
            }
            // Parent-based (the OpenTelemetry default) rather than Aspire's always_on: what a background loop does under
            // an unrecorded parent stays unrecorded (BackgroundTracing).
            context.EnvironmentVariables["OTEL_TRACES_SAMPLER"] = telemetry["TracesSampler"] is { Length: > 0 } sampler ? sampler : "parentbased_always_on";
            if (telemetry["TracesSamplerArg"] is { Length: > 0 } argument)
            {
                context.EnvironmentVariables["OTEL_TRACES_SAMPLER_ARG"] = argument;
            }
        });
    }
}

/// <summary>The OpenID Connect provider people sign in with when deployed (parameters: the Secret's keys).</summary>
public sealed record IdentityProvider(IResourceBuilder<ParameterResource> Authority, IResourceBuilder<ParameterResource> ClientId)
{
    public static IdentityProvider Add(IDistributedApplicationBuilder builder) =>
        new(builder.AddParameter("oidc-authority"), builder.AddParameter("oidc-client-id"));
}
