using Microsoft.AspNetCore.OutputCaching;
using StackExchange.Redis;

namespace TicketMaster.EventsApi.Caching;

public static class OutputCacheExtensions
{
    /// <summary>Wraps the registered (Redis) IOutputCacheStore in <see cref="TwoLevelOutputCacheStore"/>.</summary>
    public static IServiceCollection DecorateOutputCacheStoreWithLocalCopies(this IServiceCollection services)
    {
        var shared = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.Remove(shared);
        services.AddSingleton<IOutputCacheStore>(sp => new TwoLevelOutputCacheStore(
            (IOutputCacheStore)(shared.ImplementationInstance
                ?? shared.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, shared.ImplementationType!)),
            sp.GetRequiredService<IConnectionMultiplexer>()));
        return services;
    }
}
