using Microsoft.Extensions.Configuration;

namespace TicketMaster.AppHost;

public static class StartupBanner
{
    // People and scripts look for these lines; the ports come from the launch profiles (fixed in run mode).
    public static void PrintAddressesWhenReady(this IDistributedApplicationBuilder builder, params IResourceBuilder<ProjectResource>[] apis)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }

        var dashboard = builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0];
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((_, _) =>
        {
            if (dashboard is not null)
            {
                Console.WriteLine($"TicketMaster dashboard: {dashboard}");
            }
            return Task.CompletedTask;
        });

        foreach (var api in apis)
        {
            api.OnResourceReady(async (resource, _, cancellationToken) =>
            {
                var url = await resource.GetEndpoint("http").GetValueAsync(cancellationToken);
                Console.WriteLine($"TicketMaster {resource.Name} ready: {url}");
            });
        }
    }
}
