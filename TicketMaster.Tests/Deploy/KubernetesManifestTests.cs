using System.Text;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using TicketMaster.Deploy;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Deploy;

// deploy/k8s is generated from the AppHost's publish-mode model by ./deploy.sh manifests and committed.
public sealed partial class KubernetesManifestTests
{
    [Fact]
    public async Task The_committed_tree_is_exactly_what_the_AppHost_generates_now()
    {
        var generated = KustomizeGenerator.Generate(await PublishedManifest.Instance.Value);
        var committed = Directory.EnumerateFiles(RenderedOverlay.TreeRoot, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "secrets.env")
            .ToDictionary(f => Path.GetRelativePath(RenderedOverlay.TreeRoot, f).Replace('\\', '/'), File.ReadAllText);

        Assert.Equal(generated.Keys, committed.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, content) in generated)
        {
            Assert.True(content == committed[path], $"deploy/k8s/{path} differs from the AppHost model: run ./deploy.sh manifests");
        }
    }

    [Fact]
    public void Every_generated_yaml_file_parses_with_KubernetesClient()
    {
        var documents = Directory.EnumerateFiles(Path.Combine(RenderedOverlay.TreeRoot, "base"), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f)))
            .ToList();

        Assert.Equal(4, documents.OfType<V1Deployment>().Count());
        Assert.Equal(4, documents.OfType<V1StatefulSet>().Count());
        Assert.Equal(8, documents.OfType<V1Service>().Count());
        Assert.Equal(3, documents.OfType<V2HorizontalPodAutoscaler>().Count());
        Assert.Equal(3, documents.OfType<V1PodDisruptionBudget>().Count());
        Assert.Equal("web", Assert.Single(documents.OfType<V1Ingress>()).Spec.Rules.Single().Http.Paths.Single().Backend.Service.Name);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("production")]
    public async Task Both_overlays_render_offline_with_replicas_and_a_single_indexer(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        var deployments = rendered.Of<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        Assert.Equal(["bookingapi", "eventsapi", "indexer", "web"], deployments.Keys.Order());
        // The outside world reaches the site only; the site reaches the APIs by their Services.
        Assert.Equal("web", Assert.Single(rendered.Of<V1Ingress>()).Spec.Rules.Single().Http.Paths.Single().Backend.Service.Name);
        Assert.Contains(deployments["web"].Spec.Template.Spec.Containers.Single().Env, e => e.Name == "services__bookingapi__http__0");
        Assert.Equal(1, deployments["indexer"].Spec.Replicas);
        Assert.Equal("Recreate", deployments["indexer"].Spec.Strategy.Type);
        var autoscalers = rendered.Of<V2HorizontalPodAutoscaler>().ToDictionary(h => h.Metadata.Name);
        Assert.Equal(overlay == "production" ? 3 : 1, autoscalers["eventsapi"].Spec.MinReplicas);
        Assert.Equal(["mysql", "rabbitmq", "redis", "search"], rendered.Of<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        Assert.All(rendered.Of<V1StatefulSet>(), s => Assert.Single(s.Spec.VolumeClaimTemplates));
        Assert.All(rendered.Objects.Cast<IKubernetesObject<V1ObjectMeta>>(), o =>
            Assert.Equal(overlay == "production" ? "ticketmaster" : "ticketmaster-local", o.Metadata.NamespaceProperty));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("production")]
    public async Task Every_connection_string_points_to_a_service_that_exists_with_that_port(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var servicePorts = rendered.Of<V1Service>().ToDictionary(s => s.Metadata.Name, s => s.Spec.Ports.Select(p => p.Port).ToHashSet());
        var checkedStrings = 0;

        foreach (var (workload, container) in rendered.Containers())
        {
            foreach (var variable in container.Env?.Where(e => e.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)) ?? [])
            {
                // The SMTP server is the operator's, outside the cluster: its address is a secret, not a Service.
                if (variable.Name == "ConnectionStrings__mail")
                {
                    Assert.StartsWith("ticketmaster-secrets", variable.ValueFrom.SecretKeyRef.Name);
                    Assert.Equal("mail", variable.ValueFrom.SecretKeyRef.Key);
                    continue;
                }
                var (host, port) = HostAndPort(variable.Value);
                Assert.True(servicePorts.TryGetValue(host, out var ports), $"{workload}: {variable.Name} names '{host}', which is no Service");
                Assert.Contains(port, ports);
                checkedStrings++;
            }
        }
        Assert.Equal(4 + 3 + 2, checkedStrings); // eventsapi: catalog, redis, rabbitmq, search; bookingapi: booking, redis, rabbitmq; indexer: rabbitmq, search
    }

    [Theory]
    [InlineData("local")]
    [InlineData("production")]
    public async Task Every_container_has_probes_and_resource_limits(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        Assert.All(rendered.Containers(), pair =>
        {
            var (workload, container) = pair;
            Assert.True(container.ReadinessProbe is not null, $"{workload} has no readiness probe");
            Assert.True(container.LivenessProbe is not null, $"{workload} has no liveness probe");
            Assert.True(container.Resources?.Limits?.ContainsKey("cpu") == true && container.Resources.Limits.ContainsKey("memory"), $"{workload} has no limits");
            Assert.True(container.Resources.Requests?.ContainsKey("memory") == true, $"{workload} has no requests");
        });
        var apis = rendered.Containers().Where(c => c.Workload is "eventsapi" or "bookingapi" or "indexer").ToList();
        Assert.All(apis, c => Assert.Equal("/health", c.Container.ReadinessProbe.HttpGet.Path));
        Assert.All(apis, c => Assert.Equal("/alive", c.Container.LivenessProbe.HttpGet.Path));
    }

    [Fact]
    public async Task Production_has_dev_tokens_off_and_no_literal_secret_anywhere()
    {
        var rendered = await RenderedOverlay.RenderAsync("production");

        var config = rendered.Of<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith(RenderedOverlay.ConfigMapName, StringComparison.Ordinal));
        Assert.Equal("false", config.Data["Auth__DevTokens"]);
        var secret = rendered.Of<V1Secret>().Single();
        Assert.Equal(rendered.Secrets.Keys.Order(), secret.Data.Keys.Order());

        // Every secret value reaches the pods only through the Secret, never as literal text in a manifest.
        var everythingButTheSecret = KubernetesYaml.SerializeAll(rendered.Objects.Where(o => o is not V1Secret));
        Assert.All(rendered.Secrets.Values, value => Assert.DoesNotContain(value, everythingButTheSecret));
        Assert.All(rendered.Containers().SelectMany(c => c.Container.Env ?? []).Where(e => e.Name.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase) || e.Name == "Auth__SigningKey"),
            e => Assert.NotNull(e.ValueFrom?.SecretKeyRef));
        Assert.Equal(rendered.Secrets["jwt-signing-key"], Encoding.UTF8.GetString(secret.Data["jwt-signing-key"]));
    }

    [Fact]
    public async Task Production_pays_through_Stripe_with_its_keys_from_the_Secret()
    {
        var rendered = await RenderedOverlay.RenderAsync("production");

        var config = rendered.Of<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith(RenderedOverlay.ConfigMapName, StringComparison.Ordinal));
        Assert.Equal("Stripe", config.Data["Payments__Provider"]);
        Assert.False(config.Data.ContainsKey("ASPNETCORE_ENVIRONMENT")); // Production, the default
        var booking = rendered.Containers().Single(c => c.Workload == "bookingapi").Container.Env.ToDictionary(e => e.Name);
        Assert.Equal("stripe-api-key", booking["Payments__Stripe__ApiKey"].ValueFrom.SecretKeyRef.Key);
        Assert.Equal("stripe-webhook-secret", booking["Payments__Stripe__WebhookSecret"].ValueFrom.SecretKeyRef.Key);
        // Ticket codes and queue passes have keys of their own, not derived from the JWT key.
        Assert.Equal("ticket-code-key", booking["Booking__TicketCodes__Keys__k1"].ValueFrom.SecretKeyRef.Key);
        Assert.Equal("queue-pass-key", booking["Booking__QueuePasses__Keys__k1"].ValueFrom.SecretKeyRef.Key);
        Assert.Equal("k1", config.Data["Booking__TicketCodes__CurrentKeyId"]);
        Assert.Equal("k1", config.Data["Booking__QueuePasses__CurrentKeyId"]);
    }

    [Fact]
    public async Task Both_APIs_accept_the_identity_providers_tokens_for_the_sites_client()
    {
        var rendered = await RenderedOverlay.RenderAsync("production");

        foreach (var api in new[] { "eventsapi", "bookingapi" })
        {
            var env = rendered.Containers().Single(c => c.Workload == api).Container.Env.ToDictionary(e => e.Name);
            Assert.Equal("oidc-authority", env["Auth__Oidc__Authority"].ValueFrom.SecretKeyRef.Key);
            Assert.Equal("oidc-client-id", env["Auth__Oidc__Audience"].ValueFrom.SecretKeyRef.Key);
            Assert.False(env.ContainsKey("Auth__Oidc__ClientSecret")); // only the site signs people in
        }
    }

    [Fact]
    public async Task Forwarded_addresses_are_believed_only_from_the_private_networks_once()
    {
        var rendered = await RenderedOverlay.RenderAsync("production");

        var config = rendered.Of<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith(RenderedOverlay.ConfigMapName, StringComparison.Ordinal));
        Assert.Equal("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16", config.Data["ForwardedHeaders__KnownNetworks"]);
        Assert.Equal("false", config.Data["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]); // the services' own step only
    }

    [Fact]
    public async Task Redis_refuses_writes_when_full_instead_of_evicting_holds()
    {
        var rendered = await RenderedOverlay.RenderAsync("production");

        var redis = rendered.Containers().Single(c => c.Workload == "redis").Container;
        Assert.Contains("--maxmemory 384mb --maxmemory-policy noeviction", string.Join(' ', redis.Args));
    }

    [Fact]
    public async Task The_local_overlay_keeps_dev_tokens_only_with_the_Development_environment()
    {
        var rendered = await RenderedOverlay.RenderAsync("local");

        var config = rendered.Of<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith(RenderedOverlay.ConfigMapName, StringComparison.Ordinal));
        Assert.Equal("true", config.Data["Auth__DevTokens"]);
        Assert.Equal("Development", config.Data["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Simulated", config.Data["Payments__Provider"]);
    }

    [Fact]
    public void The_repository_commits_no_secret_values()
    {
        var examples = Directory.EnumerateFiles(RenderedOverlay.TreeRoot, "secrets.env.example", SearchOption.AllDirectories).ToList();

        Assert.Equal(2, examples.Count);
        Assert.All(examples.SelectMany(File.ReadAllLines).Where(l => !l.StartsWith('#')), line => Assert.Matches(KeyWithoutValue(), line));
        Assert.Contains("deploy/k8s/overlays/*/secrets.env", File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".gitignore")));
    }

    [GeneratedRegex("^[a-z0-9-]+=$")]
    private static partial Regex KeyWithoutValue();

    [GeneratedRegex(@"^Server=(?<host>[^;]+);Port=(?<port>\d+);|^(?<host>[a-z0-9-]+):(?<port>\d+),|^[a-z]+://[^@]+@(?<host>[a-z0-9-]+):(?<port>\d+)")]
    private static partial Regex ConnectionTarget();

    private static (string Host, int Port) HostAndPort(string connectionString)
    {
        var match = ConnectionTarget().Match(connectionString);
        Assert.True(match.Success, $"unrecognised connection string shape: {connectionString}");
        return (match.Groups["host"].Value, int.Parse(match.Groups["port"].Value));
    }
}
