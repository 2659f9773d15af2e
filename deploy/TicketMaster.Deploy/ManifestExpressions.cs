using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TicketMaster.Deploy;

// Resolves the Aspire manifest's {resource.property} placeholders for Kubernetes: hosts become Service names,
// ports the container ports, and parameters (passwords, the JWT key) become $(ENV_VAR) references to env vars
// filled from the Secret, which Kubernetes expands inside later env values of the same container.
public sealed partial class ManifestExpressions(JsonElement resources)
{
    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>The resolved text and the parameters (secrets) it needs as env vars.</summary>
    public (string Value, SortedSet<string> Secrets) Resolve(string expression)
    {
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        var value = Resolve(expression, secrets, depth: 0);
        return (value, secrets);
    }

    public static string SecretEnvName(string parameter) => parameter.ToUpperInvariant().Replace('-', '_');

    private string Resolve(string expression, SortedSet<string> secrets, int depth)
    {
        if (depth > 10)
        {
            throw new InvalidOperationException($"Placeholder nesting too deep in '{expression}'.");
        }
        return Placeholder().Replace(expression, match => ResolveOne(match.Groups[1].Value, secrets, depth));
    }

    private string ResolveOne(string reference, SortedSet<string> secrets, int depth)
    {
        var parts = reference.Split('.');
        var resource = resources.GetProperty(parts[0]);
        var type = resource.GetProperty("type").GetString()!;

        if (type.StartsWith("parameter.", StringComparison.Ordinal))
        {
            secrets.Add(parts[0]);
            return $"$({SecretEnvName(parts[0])})";
        }
        if (type == "annotated.string")
        {
            // Only the "uri" filter is used, on generated alphanumeric passwords: encoding changes nothing.
            return Resolve(resource.GetProperty("value").GetString()!, secrets, depth + 1);
        }
        return parts switch
        {
            [_, "connectionString"] => Resolve(resource.GetProperty("connectionString").GetString()!, secrets, depth + 1),
            [var name, "bindings", var binding, "host"] => name,
            [_, "bindings", var binding, "port" or "targetPort"] => Port(resource, binding).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [_, "bindings", var binding, "scheme"] => Scheme(resource, binding),
            // A project's Service listens on port 80 (service discovery: services__{name}__http__0); a server's on its port.
            [var name, "bindings", var binding, "url"] => type.StartsWith("project.", StringComparison.Ordinal)
                ? $"{Scheme(resource, binding)}://{name}"
                : $"{Scheme(resource, binding)}://{name}:{Port(resource, binding).ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            _ => throw new InvalidOperationException($"Unsupported manifest placeholder {{{reference}}}."),
        };
    }

    private static string Scheme(JsonElement resource, string binding) =>
        resource.GetProperty("bindings").GetProperty(binding).GetProperty("scheme").GetString()!;

    /// <summary>Projects listen on 8080 in their containers (the .NET images' default); containers on their targetPort.</summary>
    public static int Port(JsonElement resource, string binding) =>
        resource.GetProperty("bindings").GetProperty(binding).TryGetProperty("targetPort", out var port)
            ? port.GetInt32()
            : KustomizeGenerator.ProjectPort;
}
