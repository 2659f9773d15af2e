using System.Diagnostics;
using System.Text.RegularExpressions;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Repository;

// Whoever clones the repository has the repository only: no file may lean on a path outside it, neither a relative
// one climbing out of it nor an absolute path of some machine, and a document's relative links lead to files it has.
public sealed partial class RepositoryReferenceTests
{
    [GeneratedRegex(@"(?<![\w.:/\\-])(?:\.\.[/\\])+[\w.\-/\\]*")]
    private static partial Regex RelativePath();

    [GeneratedRegex(@"(?<![\w.:/-])/(?:work|root|home|check|Users|mnt|srv|opt)/[\w.\-/]+")]
    private static partial Regex MachinePath();

    // The examples below are put together from pieces, so that this file holds no reference outside the repository.
    private const string Up = "../";
    private const string MachineRoot = "/" + "work";

    [Fact]
    public void No_tracked_file_refers_to_a_path_outside_the_repository()
    {
        var found = new List<string>();
        foreach (var file in TrackedFiles())
        {
            var path = Path.Combine(RepositoryPaths.Root, file);
            if (!File.Exists(path) || new FileInfo(path).Length > 4_000_000)
            {
                continue;
            }
            var text = File.ReadAllText(path);
            if (text.Contains('\0'))
            {
                continue; // binary
            }
            found.AddRange(OutsideReferences(file, text).Select(r => $"{file}: {r}"));
        }
        Assert.True(found.Count == 0, "references outside the repository:\n" + string.Join("\n", found));
    }

    [Theory]
    [InlineData("README.md", "see " + Up + "shared/DESIGN.md", Up + "shared/DESIGN.md")]
    [InlineData("docs/ARCHITECTURE.md", "see [the design](" + Up + "shared/DESIGN.md)", Up + "shared/DESIGN.md")]
    [InlineData("TicketMaster.Tests/X.cs", @"<Compile Include=""..\..\other\File.cs"" />", @"..\..\other\File.cs")]
    [InlineData("Directory.Packages.props", "<add key=\"feed\" value=\"" + MachineRoot + "/packages/feed\" />", MachineRoot + "/packages/feed")]
    public void The_check_finds_a_reference_outside(string file, string text, string expected) =>
        Assert.Equal([expected], OutsideReferences(file, text));

    [Theory]
    [InlineData("deploy/k8s/overlays/local/kustomization.yaml", "  - \"../../base\"")]
    [InlineData("TicketMaster.Tests/TicketMaster.Tests.csproj", @"<ProjectReference Include=""..\TicketMaster.AppHost\TicketMaster.AppHost.csproj"" />")]
    [InlineData("README.md", "read [the design](docs/DESIGN.md) or https://aspire.dev/docs/ for more")]
    public void The_check_lets_a_reference_inside_pass(string file, string text) => Assert.Empty(OutsideReferences(file, text));

    private static List<string> OutsideReferences(string file, string text)
    {
        var root = Path.GetFullPath(RepositoryPaths.Root);
        var folder = Path.GetDirectoryName(Path.Combine(root, file))!;
        var found = new List<string>();
        foreach (Match match in RelativePath().Matches(text))
        {
            var target = Path.GetFullPath(Path.Combine(folder, match.Value.Replace('\\', '/')));
            var inside = target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || target == root;
            var isDocument = file.EndsWith(".md", StringComparison.Ordinal);
            if (!inside || isDocument && !File.Exists(target) && !Directory.Exists(target))
            {
                found.Add(match.Value);
            }
        }
        found.AddRange(MachinePath().Matches(text).Select(m => m.Value));
        return found;
    }

    // The files git tracks; without git (a machine with only the .NET SDK, or a copy without .git), every file but
    // build output and local data.
    private static IEnumerable<string> TrackedFiles()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "ls-files -z")
            {
                WorkingDirectory = RepositoryPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            if (git.ExitCode == 0)
            {
                return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // git is not installed
        }
        string[] skipped = ["bin", "obj", ".git", ".data", ".test-results", "node_modules", "aspire-manifest.json", "aspire.config.json", "secrets.env"];
        return Directory.EnumerateFiles(RepositoryPaths.Root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => skipped.Contains(part)) && !path.EndsWith(".log", StringComparison.Ordinal));
    }
}
