using Docker.DotNet;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Images;
using Gitops.Engine.Sources;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// Builds service images on Docker or Podman under the build policy (<see cref="PolicedBuild"/>);
/// a tag that exists (built for the same service: its ownership labels say so) is not built again.
/// </summary>
public sealed class DockerImageBuilder(DockerClient client, EngineEndpoint target) : IImageBuilder
{
    public async Task<BuiltImage> EnsureBuiltAsync(string project, string service, string tag, BuildContextFiles context, BuildSpec build, IProgress<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            var existing = await client.Images.InspectImageAsync(tag, cancellationToken).ConfigureAwait(false);
            if (Ownership.ImageRefusal(tag, existing.Config?.Labels, project, service) is { } refusal)
            {
                throw new TargetConflictException(refusal);
            }

            log.Report($"image {tag} is up to date (same build inputs)");
            return new BuiltImage(false, existing.ID);
        }
        catch (DockerImageNotFoundException)
        {
        }

        log.Report($"building {tag} from {context.Root} ({context.Entries.Count} files)");
        var killed = 0;
        await Retry.RunAsync(
            async t =>
            {
                using var tar = BuildContext.FromFiles(context);
                await PolicedBuild.RunAsync(client, target, tar, tag, build, Ownership.ImageLabels(project, service), log, t).ConfigureAwait(false);
                return true;
            },
            e =>
            {
                if (CacheRace(e))
                {
                    log.Report("the engine's build cache changed under the build (an image was removed meanwhile); building again");
                    return true;
                }

                if (KilledStep(e) && ++killed == 1)
                {
                    log.Report("the engine killed a RUN step (signal: killed) without saying why: an image the build stood on may have been removed meanwhile; building once more (a second kill fails the build: memory, or the pids limit)");
                    return true;
                }

                return false;
            },
            cancellationToken).ConfigureAwait(false);
        return new BuiltImage(true, (await client.Images.InspectImageAsync(tag, cancellationToken).ConfigureAwait(false)).ID);
    }

    /// <summary>
    /// Podman's build reuses cached layers of other images; when one of those images is removed
    /// while the build checks its cache (seen in CI: "checking if cached image exists from a
    /// previous build: getting top layer info: layer not known"), the build fails through no fault
    /// of its own, and building again works.
    /// </summary>
    private static bool CacheRace(Exception e) =>
        e is InvalidOperationException && e.Message.Contains("layer not known", StringComparison.Ordinal);

    /// <summary>
    /// Podman's build reports a RUN step's process killed by a signal as "while running runtime:
    /// signal: killed". Seen under a full test run while other builds' images were force-removed
    /// (twice in about eight runs); a build of its own then passes. An out-of-memory or pids-limit
    /// kill is killed again, so only one more build is tried.
    /// </summary>
    private static bool KilledStep(Exception e) =>
        e is InvalidOperationException && e.Message.Contains("while running runtime: signal: killed", StringComparison.Ordinal);

    public Task<string?> EnsurePresentAsync(string image, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken) =>
        EngineErrors.Guard(target, () => RegistryTransfer.EnsurePresentAsync(client, target, image, login, log, cancellationToken));

    public Task<string> PushAsync(string local, string remote, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken) =>
        EngineErrors.Guard(target, () => RegistryTransfer.PushAsync(client, target, local, remote, login, log, cancellationToken));

    public async Task<string?> EnsureStarterBaseAsync(IProgress<string> log, CancellationToken cancellationToken) =>
        await LocalBusybox.EnsureAsync(client, target.Kind, log, cancellationToken).ConfigureAwait(false)
            ? $"made the samples' base image {LocalBusybox.Name(target.Kind)} from this machine's /bin/busybox (no registry needed)"
            : null;
}
