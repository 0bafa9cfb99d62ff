using Docker.DotNet;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// The samples and starters build <c>FROM busybox:1.36</c>. On a machine that reaches no
/// registry (air-gapped servers, our CI), that image is made here from the host's static busybox
/// (Debian's <c>busybox-static</c>) and tagged with the public name; an image already present is used as is.
/// </summary>
public static class LocalBusybox
{
    private const string Binary = "/bin/busybox";

    /// <summary>Podman resolves short names through docker.io, so it is given the qualified name.</summary>
    public static string Name(EngineKind kind) =>
        kind == EngineKind.Podman ? "docker.io/library/busybox:1.36" : "busybox:1.36";

    /// <returns>True when the image had to be made.</returns>
    public static async Task<bool> EnsureAsync(DockerClient client, EngineKind kind, IProgress<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await ImageBuilder.ExistsAsync(client, Name(kind), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Name(kind)} is not on the engine and {Binary} is missing to make it: pull the image, or install Debian's busybox-static");
        }

        // Like the published image: the applets, and a /tmp anyone may write (services drop DAC_OVERRIDE).
        var dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nRUN [\"/bin/busybox\", \"mkdir\", \"-m\", \"1777\", \"/tmp\"]\n"u8.ToArray();
        using var context = BuildContext.FromMemory(
        [
            ("Dockerfile", dockerfile, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
            ("busybox", await File.ReadAllBytesAsync(Binary, cancellationToken).ConfigureAwait(false), (UnixFileMode)0b111_101_101),
        ]);
        await ImageBuilder.BuildAsync(client, context, Name(kind), log, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
