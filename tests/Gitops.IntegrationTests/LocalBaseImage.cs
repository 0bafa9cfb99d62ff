using System.Collections.Concurrent;
using Docker.DotNet;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// No registry is reachable on these machines, so the samples' <c>FROM busybox:1.36</c> is
/// satisfied by an image built here from Debian's static busybox, tagged with the public name.
/// </summary>
public static class LocalBaseImage
{
    private const string BusyboxBinary = "/bin/busybox";
    private static readonly ConcurrentDictionary<EngineKind, SemaphoreSlim> Locks = new();

    /// <summary>Podman resolves short names through docker.io, so it needs the qualified name.</summary>
    public static string Name(EngineKind kind) =>
        kind == EngineKind.Podman ? "docker.io/library/busybox:1.36" : "busybox:1.36";

    public static async Task EnsureAsync(DockerClient client, EngineKind kind, CancellationToken cancellationToken)
    {
        var gate = Locks.GetOrAdd(kind, _ => new SemaphoreSlim(1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (await ExistsAsync(client, Name(kind), cancellationToken))
            {
                return;
            }

            Assert.True(File.Exists(BusyboxBinary), $"{BusyboxBinary} is missing: install Debian's busybox-static (tests/setup-engines.sh does)");
            var dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"u8.ToArray();
            using var context = BuildContext.FromMemory(
            [
                ("Dockerfile", dockerfile, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
                ("busybox", await File.ReadAllBytesAsync(BusyboxBinary, cancellationToken), (UnixFileMode)0b111_101_101),
            ]);
            await ImageBuilder.BuildAsync(client, context, Name(kind), new Progress<string>(), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public static async Task<bool> ExistsAsync(DockerClient client, string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }
}
