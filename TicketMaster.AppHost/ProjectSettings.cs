using Microsoft.Extensions.Configuration;

namespace TicketMaster.AppHost;

public static class ProjectSettings
{
    /// <summary>The JWT signing key both APIs trust, and whether EventsApi may mint dev tokens (local runs only).</summary>
    public static IResourceBuilder<ProjectResource> WithAuth(
        this IResourceBuilder<ProjectResource> project, ParameterResource signingKey, bool devTokens) =>
        project.WithEnvironment("Auth__SigningKey", signingKey)
            .WithEnvironment("Auth__DevTokens", devTokens ? "true" : "false");

    public static IResourceBuilder<ProjectResource> WithBookingSettings(this IResourceBuilder<ProjectResource> project, IConfiguration configuration)
    {
        // TicketMaster:Booking:* (e.g. HoldTtl, ReconcileAfter, ReconcileInterval) become the BookingApi's Booking:* settings,
        // TicketMaster:Payments:* (e.g. Provider, Stripe:WebhookSecret) become its Payments:* settings.
        foreach (var section in new[] { "Booking", "Payments" })
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
}
