namespace TicketMaster.Tests.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The folder holding TicketMaster.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string AppHostProject => Path.Combine(Root, "TicketMaster.AppHost");

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TicketMaster.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("TicketMaster.sln not found above " + AppContext.BaseDirectory);
    }
}
