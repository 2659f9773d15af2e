namespace TicketMaster.AppHost.Servers;

internal static class PrivateFile
{
    /// <summary>Writes a file that holds a generated password, readable by its owner only.</summary>
    public static async Task WriteAsync(string path, string contents, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, "", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await File.WriteAllTextAsync(path, contents, cancellationToken);
    }
}
