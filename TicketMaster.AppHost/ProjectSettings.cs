namespace TicketMaster.AppHost;

public static class ProjectSettings
{
    /// <summary>The JWT signing key both APIs trust, and whether EventsApi may mint dev tokens (local runs only).</summary>
    public static IResourceBuilder<ProjectResource> WithAuth(
        this IResourceBuilder<ProjectResource> project, ParameterResource signingKey, bool devTokens) =>
        project.WithEnvironment("Auth__SigningKey", signingKey)
            .WithEnvironment("Auth__DevTokens", devTokens ? "true" : "false");

    /// <summary>How long a reservation holds seats (Booking:HoldTtl, default 8 min); tests shorten it.</summary>
    public static IResourceBuilder<ProjectResource> WithHoldTtl(this IResourceBuilder<ProjectResource> project, string? holdTtl) =>
        holdTtl is null ? project : project.WithEnvironment("Booking__HoldTtl", holdTtl);
}
