namespace TicketMaster.AppHost.Servers;

// What run mode (and the tests) need to start Debian's servers as executable resources.
// Publish mode needs none of it: there the same names are containers.
public sealed record LocalServers(LocalServerOptions Options, ServerBinaries Binaries)
{
    /// <summary>Null in publish mode. Throws <see cref="MissingServerBinaryException"/> when a package is missing.</summary>
    public static LocalServers? ForRunMode(IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return null;
        }
        var options = LocalServerOptions.From(builder.Configuration, builder.AppHostDirectory);
        return new LocalServers(options, ServerBinaries.Resolve(options));
    }
}
