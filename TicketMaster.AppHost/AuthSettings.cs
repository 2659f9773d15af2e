namespace TicketMaster.AppHost;

public static class AuthSettings
{
    /// <summary>The JWT signing key both APIs trust, and whether EventsApi may mint dev tokens (local runs only).</summary>
    public static IResourceBuilder<ProjectResource> WithAuth(
        this IResourceBuilder<ProjectResource> project, ParameterResource signingKey, bool devTokens) =>
        project.WithEnvironment("Auth__SigningKey", signingKey)
            .WithEnvironment("Auth__DevTokens", devTokens ? "true" : "false");
}
