using System.Diagnostics;
using k8s;
using k8s.Models;
using TicketMaster.Deploy;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Deploy;

/// <summary>An overlay of the committed deploy/k8s tree rendered by `kubectl kustomize` with throwaway secrets.</summary>
public sealed record RenderedOverlay(IReadOnlyList<object> Objects, IReadOnlyDictionary<string, string> Secrets)
{
    public static string TreeRoot => Path.Combine(RepositoryPaths.Root, "deploy", "k8s");

    public static async Task<RenderedOverlay> RenderAsync(string overlay)
    {
        var copy = Directory.CreateTempSubdirectory("ticketmaster-k8s-").FullName;
        try
        {
            CopyTree(TreeRoot, copy);
            var overlayDir = Path.Combine(copy, "overlays", overlay);
            // As ./deploy.sh secrets does: one random value per key of secrets.env.example.
            var secrets = File.ReadAllLines(Path.Combine(overlayDir, "secrets.env.example"))
                .Where(l => l.EndsWith('=') && !l.StartsWith('#'))
                .ToDictionary(l => l.TrimEnd('='), _ => "s3cr3t" + Guid.NewGuid().ToString("N"));
            await File.WriteAllLinesAsync(Path.Combine(overlayDir, "secrets.env"), secrets.Select(s => $"{s.Key}={s.Value}"));

            var start = new ProcessStartInfo("kubectl", ["kustomize", overlayDir]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var kubectl = Process.Start(start)!;
            var output = kubectl.StandardOutput.ReadToEndAsync();
            var errors = kubectl.StandardError.ReadToEndAsync();
            await kubectl.WaitForExitAsync();
            Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {overlay} failed: {await errors}");
            return new RenderedOverlay(KubernetesYaml.LoadAllFromString(await output), secrets);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    public IEnumerable<T> Of<T>() => Objects.OfType<T>();

    public IEnumerable<(string Workload, V1Container Container)> Containers() =>
        Of<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers.Select(c => (d.Metadata.Name, c)))
            .Concat(Of<V1StatefulSet>().SelectMany(s => s.Spec.Template.Spec.Containers.Select(c => (s.Metadata.Name, c))));

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetFileName(file) != "secrets.env")
            {
                File.Copy(file, target);
            }
        }
    }

    public static string ConfigMapName => KustomizeGenerator.ConfigMapName;
}
