using System.Text.Json;

namespace TicketMaster.Deploy;

// Turns the AppHost's publish-mode model (its Aspire manifest) into a kustomize tree, so the Kubernetes
// manifests cannot drift from the AppHost: names, images, ports, env and connection strings all come from it.
//   base/                 Deployment + Service per project (HPA + PDB for the APIs), StatefulSet + headless
//                         Service + PVC template per container, a ConfigMap of non-secret settings
//   overlays/local        single replicas, Development: dev tokens and simulated payments (kind/minikube), Secret from secrets.env
//   overlays/production   more replicas, bigger volumes, Production: Stripe, no dev tokens, Secret from secrets.env
// secrets.env (git-ignored) is written at deploy time by ./deploy.sh secrets: nothing secret is committed.
public static class KustomizeGenerator
{
    public const int ProjectPort = 8080;
    public const string SecretName = "ticketmaster-secrets";
    public const string ConfigMapName = "ticketmaster-config";
    public const string ImagePrefix = "ticketmaster/";

    private static readonly Dictionary<string, ProjectShape> Projects = new()
    {
        // The APIs scale out; the Indexer stays single (one index writer), and is replaced, not rolled.
        ["eventsapi"] = new(Replicas: 2, Autoscale: true),
        ["bookingapi"] = new(Replicas: 2, Autoscale: true),
        ["indexer"] = new(Replicas: 1, Autoscale: false),
        // The site keeps no state of its own (sessions are cookies), so it scales like the APIs.
        ["web"] = new(Replicas: 2, Autoscale: true),
    };

    /// <summary>The project the Ingress sends the outside world to: the site, which proxies /v1 to the APIs.</summary>
    public const string PublicProject = "web";

    /// <summary>
    /// Where X-Forwarded-For/-Proto are believed from: the cluster's private ranges (the ingress controller and the
    /// site's proxy run there); anything from outside is a client and cannot claim another's address.
    /// </summary>
    public const string TrustedProxyNetworks = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16";

    private static readonly Dictionary<string, ServerShape> Servers = new()
    {
        ["mysql"] = new("250m", "512Mi", "1", "1Gi", "5Gi", "50Gi"),
        ["redis"] = new("100m", "128Mi", "500m", "512Mi", "1Gi", "5Gi"),
        ["rabbitmq"] = new("200m", "256Mi", "1", "1Gi", "2Gi", "10Gi"),
        ["search"] = new("500m", "1Gi", "2", "2Gi", "5Gi", "50Gi"),
    };

    private sealed record ProjectShape(int Replicas, bool Autoscale);

    private sealed record ServerShape(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit, string Storage, string ProductionStorage);

    /// <summary>Relative path → file content of the whole tree.</summary>
    public static SortedDictionary<string, string> Generate(JsonElement manifest)
    {
        var resources = manifest.GetProperty("resources");
        var expressions = new ManifestExpressions(resources);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var baseResources = new List<string>();
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var parameters = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var resource in resources.EnumerateObject())
        {
            var type = resource.Value.GetProperty("type").GetString()!;
            if (type.StartsWith("project.", StringComparison.Ordinal))
            {
                files[$"base/{resource.Name}.yaml"] = ProjectYaml(resource.Name, resource.Value, expressions, settings, parameters);
                baseResources.Add($"{resource.Name}.yaml");
            }
            else if (type.StartsWith("container.", StringComparison.Ordinal))
            {
                files[$"base/{resource.Name}.yaml"] = ServerYaml(resource.Name, resource.Value, expressions, parameters);
                baseResources.Add($"{resource.Name}.yaml");
            }
            else if (type.StartsWith("executable.", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"'{resource.Name}' is an executable: generate from publish mode, where servers are containers.");
            }
        }

        if (resources.TryGetProperty(PublicProject, out _))
        {
            files["base/ingress.yaml"] = IngressYaml(PublicProject);
            baseResources.Add("ingress.yaml");
        }
        settings["ForwardedHeaders__KnownNetworks"] = TrustedProxyNetworks;
        // Every service runs its own forwarded-headers step, believing only loopback and those networks. Aspire's flag
        // for published projects would add a second one in front (and drop loopback), which believes one more hop.
        settings["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "false";

        files["base/kustomization.yaml"] = Yaml.Write(new Map
        {
            { "apiVersion", "kustomize.config.k8s.io/v1beta1" },
            { "kind", "Kustomization" },
            { "commonLabels", new Map { { "app.kubernetes.io/part-of", "ticketmaster" } } },
            { "resources", baseResources },
            { "configMapGenerator", new[] { new Map { { "name", ConfigMapName }, { "literals", settings.Select(s => $"{s.Key}={s.Value}").ToList() } } } },
        });

        var secretKeys = string.Concat(parameters.Select(p => $"{p}=\n"));
        foreach (var overlay in new[] { "local", "production" })
        {
            files[$"overlays/{overlay}/secrets.env.example"] =
                "# ./deploy.sh secrets " + overlay + " writes secrets.env (git-ignored) with a random value for each key;\n"
                + "# stripe-api-key and stripe-webhook-secret come from STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET instead, and mail\n"
                + "# (the SMTP server: smtp://host:port or smtps://user:password@host:port) from MAIL_SERVER; the site's sign-in from\n"
                + "# OIDC_AUTHORITY, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, its card form from STRIPE_PUBLISHABLE_KEY (empty locally).\n" + secretKeys;
        }
        var autoscaled = Projects.Where(p => p.Value.Autoscale && resources.TryGetProperty(p.Key, out _)).Select(p => p.Key).ToList();
        var local = autoscaled.ToDictionary(p => $"{p}-replicas.yaml", p => ReplicasPatch(p, 1, 1, 2));
        var production = autoscaled.ToDictionary(p => $"{p}-replicas.yaml", p => ReplicasPatch(p, 3, 3, 20));
        foreach (var (server, shape) in Servers.Where(s => resources.TryGetProperty(s.Key, out _)))
        {
            production[$"{server}-storage.yaml"] = StoragePatch(server, shape.ProductionStorage);
        }
        AddOverlay(files, "local", "ticketmaster-local", "latest", devTokens: true, local);
        AddOverlay(files, "production", "ticketmaster", "1.0.0", devTokens: false, production);
        return files;
    }

    private static string ProjectYaml(string name, JsonElement resource, ManifestExpressions expressions,
        SortedDictionary<string, string> settings, SortedSet<string> parameters)
    {
        var shape = Projects.GetValueOrDefault(name) ?? new ProjectShape(1, false);
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        var env = new List<Map>();
        foreach (var variable in resource.GetProperty("env").EnumerateObject())
        {
            var raw = variable.Value.GetString()!;
            if (!KeepsProjectVariable(variable.Name))
            {
                continue;
            }
            if (!raw.Contains('{'))
            {
                settings[variable.Name] = raw;   // non-secret: the shared ConfigMap
                continue;
            }
            env.Add(EnvVariable(variable.Name, raw, expressions, parameters, secrets));
        }
        // Secret-backed variables first: Kubernetes expands $(VAR) only from variables defined earlier.
        var containerEnv = secrets.Select(s => SecretEnv(ManifestExpressions.SecretEnvName(s), s))
            .Concat([
                new Map { { "name", "HTTP_PORTS" }, { "value", ProjectPort.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                new Map { { "name", "OTEL_SERVICE_NAME" }, { "value", name } },
            ])
            .Concat(env)
            .ToList();

        var labels = new Map { { "app.kubernetes.io/name", name } };
        var deployment = new Map
        {
            { "apiVersion", "apps/v1" },
            { "kind", "Deployment" },
            { "metadata", new Map { { "name", name }, { "labels", labels } } },
            { "spec", new Map
                {
                    { "replicas", shape.Replicas },
                    { "strategy", shape.Autoscale
                        ? new Map { { "type", "RollingUpdate" }, { "rollingUpdate", new Map { { "maxUnavailable", 0 }, { "maxSurge", 1 } } } }
                        : new Map { { "type", "Recreate" } } },
                    { "selector", new Map { { "matchLabels", labels } } },
                    { "template", new Map
                        {
                            { "metadata", new Map { { "labels", labels } } },
                            { "spec", new Map
                                {
                                    { "containers", new[]
                                        {
                                            new Map
                                            {
                                                { "name", name },
                                                { "image", $"{ImagePrefix}{name}:latest" },
                                                { "ports", new[] { new Map { { "name", "http" }, { "containerPort", ProjectPort } } } },
                                                { "envFrom", new[] { new Map { { "configMapRef", new Map { { "name", ConfigMapName } } } } } },
                                                { "env", containerEnv },
                                                // Start-up runs migrations; readiness covers every dependency; liveness only the process.
                                                { "startupProbe", HttpProbe("/alive", period: 2, failures: 60) },
                                                { "readinessProbe", HttpProbe("/health", period: 5, failures: 3) },
                                                { "livenessProbe", HttpProbe("/alive", period: 10, failures: 3) },
                                                { "resources", Resources("100m", "192Mi", "1", "512Mi") },
                                            },
                                        }
                                    },
                                }
                            },
                        }
                    },
                }
            },
        };
        var service = new Map
        {
            { "apiVersion", "v1" },
            { "kind", "Service" },
            { "metadata", new Map { { "name", name }, { "labels", labels } } },
            { "spec", new Map
                {
                    { "selector", labels },
                    { "ports", new[] { new Map { { "name", "http" }, { "port", 80 }, { "targetPort", "http" } } } },
                }
            },
        };
        if (!shape.Autoscale)
        {
            return Yaml.Write(deployment, service);
        }

        var autoscaler = new Map
        {
            { "apiVersion", "autoscaling/v2" },
            { "kind", "HorizontalPodAutoscaler" },
            { "metadata", new Map { { "name", name }, { "labels", labels } } },
            { "spec", new Map
                {
                    { "scaleTargetRef", new Map { { "apiVersion", "apps/v1" }, { "kind", "Deployment" }, { "name", name } } },
                    { "minReplicas", shape.Replicas },
                    { "maxReplicas", 10 },
                    { "metrics", new[]
                        {
                            new Map
                            {
                                { "type", "Resource" },
                                { "resource", new Map { { "name", "cpu" }, { "target", new Map { { "type", "Utilization" }, { "averageUtilization", 70 } } } } },
                            },
                        }
                    },
                }
            },
        };
        var disruptionBudget = new Map
        {
            { "apiVersion", "policy/v1" },
            { "kind", "PodDisruptionBudget" },
            { "metadata", new Map { { "name", name }, { "labels", labels } } },
            { "spec", new Map { { "minAvailable", 1 }, { "selector", new Map { { "matchLabels", labels } } } } },
        };
        return Yaml.Write(deployment, service, autoscaler, disruptionBudget);
    }

    // No host: the operator's ingress controller (and its TLS) decides which names reach it; SSE needs no buffering.
    private static string IngressYaml(string name) => Yaml.Write(new Map
    {
        { "apiVersion", "networking.k8s.io/v1" },
        { "kind", "Ingress" },
        { "metadata", new Map
            {
                { "name", name },
                { "labels", new Map { { "app.kubernetes.io/name", name } } },
                { "annotations", new Map
                    {
                        { "nginx.ingress.kubernetes.io/proxy-buffering", "off" },
                        { "nginx.ingress.kubernetes.io/proxy-read-timeout", "600" },
                    }
                },
            }
        },
        { "spec", new Map
            {
                { "rules", new[]
                    {
                        new Map
                        {
                            { "http", new Map
                                {
                                    { "paths", new[]
                                        {
                                            new Map
                                            {
                                                { "path", "/" },
                                                { "pathType", "Prefix" },
                                                { "backend", new Map { { "service", new Map { { "name", name }, { "port", new Map { { "name", "http" } } } } } } },
                                            },
                                        }
                                    },
                                }
                            },
                        },
                    }
                },
            }
        },
    });

    private static string ServerYaml(string name, JsonElement resource, ManifestExpressions expressions, SortedSet<string> parameters)
    {
        var shape = Servers.GetValueOrDefault(name) ?? new ServerShape("100m", "128Mi", "1", "1Gi", "1Gi", "10Gi");
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        var env = new List<Map>();
        if (resource.TryGetProperty("env", out var variables))
        {
            foreach (var variable in variables.EnumerateObject())
            {
                env.Add(EnvVariable(variable.Name, variable.Value.GetString()!, expressions, parameters, secrets));
            }
        }
        env.InsertRange(0, secrets.Select(s => SecretEnv(ManifestExpressions.SecretEnvName(s), s)));

        var bindings = resource.GetProperty("bindings").EnumerateObject()
            .Select(b => (Name: b.Name, Port: ManifestExpressions.Port(resource, b.Name))).ToList();
        var mainPort = bindings[0].Port;
        var volumes = resource.TryGetProperty("volumes", out var v) ? v.EnumerateArray().ToList() : [];
        var labels = new Map { { "app.kubernetes.io/name", name } };

        var container = new Map
        {
            { "name", name },
            { "image", resource.GetProperty("image").GetString() },
        };
        if (resource.TryGetProperty("entrypoint", out var entrypoint))
        {
            container.Add("command", new[] { entrypoint.GetString() });
        }
        if (resource.TryGetProperty("args", out var args))
        {
            container.Add("args", args.EnumerateArray().Select(a => a.GetString()).ToList());
        }
        container.Add("ports", bindings.Select(b => new Map { { "name", b.Name }, { "containerPort", b.Port } }).ToList());
        container.Add("env", env);
        container.Add("readinessProbe", TcpProbe(mainPort, initialDelay: 5, period: 5));
        container.Add("livenessProbe", TcpProbe(mainPort, initialDelay: 60, period: 20));
        container.Add("resources", Resources(shape.CpuRequest, shape.MemoryRequest, shape.CpuLimit, shape.MemoryLimit));
        container.Add("volumeMounts", volumes.Select(volume => new Map { { "name", "data" }, { "mountPath", volume.GetProperty("target").GetString() } }).ToList());

        var statefulSet = new Map
        {
            { "apiVersion", "apps/v1" },
            { "kind", "StatefulSet" },
            { "metadata", new Map { { "name", name }, { "labels", labels } } },
            { "spec", new Map
                {
                    { "serviceName", name },
                    { "replicas", 1 },
                    { "selector", new Map { { "matchLabels", labels } } },
                    { "template", new Map
                        {
                            { "metadata", new Map { { "labels", labels } } },
                            { "spec", new Map { { "containers", new[] { container } } } },
                        }
                    },
                    { "volumeClaimTemplates", volumes.Take(1).Select(_ => VolumeClaim(shape.Storage)).ToList() },
                }
            },
        };
        var headless = new Map
        {
            { "apiVersion", "v1" },
            { "kind", "Service" },
            { "metadata", new Map { { "name", name }, { "labels", labels } } },
            { "spec", new Map
                {
                    { "clusterIP", "None" },
                    { "selector", labels },
                    { "ports", bindings.Select(b => new Map { { "name", b.Name }, { "port", b.Port }, { "targetPort", b.Port } }).ToList() },
                }
            },
        };
        return Yaml.Write(statefulSet, headless);
    }

    private static void AddOverlay(SortedDictionary<string, string> files, string overlay, string ns, string tag, bool devTokens,
        Dictionary<string, Map> patches)
    {
        foreach (var (file, patch) in patches)
        {
            files[$"overlays/{overlay}/{file}"] = Yaml.Write(patch);
        }
        files[$"overlays/{overlay}/kustomization.yaml"] = OverlayYaml(ns, tag, devTokens, patches.Keys.Order(StringComparer.Ordinal).ToList());
    }

    // `bases`, `env` and `patchesStrategicMerge` are the spellings both kubectl 1.20's built-in kustomize (Debian's
    // kubernetes-client) and current kustomize accept.
    private static string OverlayYaml(string ns, string tag, bool devTokens, List<string> patchFiles) => Yaml.Write(new Map
    {
        { "apiVersion", "kustomize.config.k8s.io/v1beta1" },
        { "kind", "Kustomization" },
        { "namespace", ns },
        { "bases", new[] { "../../base" } },
        { "images", Projects.Keys.Order(StringComparer.Ordinal).Select(p => new Map { { "name", $"{ImagePrefix}{p}" }, { "newTag", tag } }).ToList() },
        { "configMapGenerator", new[]
            {
                new Map { { "name", ConfigMapName }, { "behavior", "merge" }, { "literals", OverlaySettings(devTokens) } },
            }
        },
        { "secretGenerator", new[] { new Map { { "name", SecretName }, { "env", "secrets.env" } } } },
        { "patchesStrategicMerge", patchFiles },
    });

    // Dev tokens (kind/minikube) exist only in the Development environment, which also allows the simulated
    // payment gateway; everywhere else BookingApi pays through Stripe and refuses to start with either.
    private static string[] OverlaySettings(bool devTokens) => devTokens
        ? ["ASPNETCORE_ENVIRONMENT=Development", "Auth__DevTokens=true", "Payments__Provider=Simulated"]
        : ["Auth__DevTokens=false"];

    private static Map ReplicasPatch(string name, int replicas, int min, int max) => new()
    {
        { "apiVersion", "autoscaling/v2" },
        { "kind", "HorizontalPodAutoscaler" },
        { "metadata", new Map { { "name", name } } },
        { "spec", new Map { { "minReplicas", min }, { "maxReplicas", max } } },
    };

    private static Map StoragePatch(string name, string storage) => new()
    {
        { "apiVersion", "apps/v1" },
        { "kind", "StatefulSet" },
        { "metadata", new Map { { "name", name } } },
        { "spec", new Map { { "volumeClaimTemplates", new[] { VolumeClaim(storage) } } } },
    };

    private static Map VolumeClaim(string storage) => new()
    {
        { "metadata", new Map { { "name", "data" } } },
        { "spec", new Map
            {
                { "accessModes", new[] { "ReadWriteOnce" } },
                { "resources", new Map { { "requests", new Map { { "storage", storage } } } } },
            }
        },
    };

    // A variable that is exactly one secret reads it from the Secret directly; any other value expands $(SECRET)
    // references, whose variables (collected in expanded) the container must define first.
    private static Map EnvVariable(string name, string expression, ManifestExpressions expressions,
        SortedSet<string> parameters, SortedSet<string> expanded)
    {
        var (value, needs) = expressions.Resolve(expression);
        parameters.UnionWith(needs);
        if (needs.Count == 1 && value == $"$({ManifestExpressions.SecretEnvName(needs.First())})")
        {
            return SecretEnv(name, needs.First());
        }
        expanded.UnionWith(needs);
        return new Map { { "name", name }, { "value", value } };
    }

    private static Map SecretEnv(string name, string key) => new()
    {
        { "name", name },
        { "valueFrom", new Map { { "secretKeyRef", new Map { { "name", SecretName }, { "key", key } } } } },
    };

    private static Map HttpProbe(string path, int period, int failures) => new()
    {
        { "httpGet", new Map { { "path", path }, { "port", "http" } } },
        { "periodSeconds", period },
        { "failureThreshold", failures },
    };

    private static Map TcpProbe(int port, int initialDelay, int period) => new()
    {
        { "tcpSocket", new Map { { "port", port } } },
        { "initialDelaySeconds", initialDelay },
        { "periodSeconds", period },
    };

    private static Map Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        { "requests", new Map { { "cpu", cpuRequest }, { "memory", memoryRequest } } },
        { "limits", new Map { { "cpu", cpuLimit }, { "memory", memoryLimit } } },
    };

    // Our services read Aspire's conventions only; the per-integration duplicates Aspire also emits
    // (REDIS_HOST, RABBITMQ_URI, ...) are left out, and the port and service name are set by the generator.
    private static bool KeepsProjectVariable(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
        || name.StartsWith("services__", StringComparison.Ordinal)
        || name.StartsWith("Auth__", StringComparison.Ordinal)
        || name.StartsWith("Booking__", StringComparison.Ordinal)
        || name.StartsWith("Payments__", StringComparison.Ordinal)
        || name.StartsWith("OTEL_", StringComparison.Ordinal)
        || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal);
}
