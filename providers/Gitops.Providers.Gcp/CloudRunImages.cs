using Gitops.Engine.Execution;
using Gitops.Engine.Images;
using Gitops.Engine.Sources;
using Gitops.Schema.Model;

namespace Gitops.Providers.Gcp;

/// <summary>
/// Images for Cloud Run: built and pushed by a Docker engine on this machine (the platform's
/// registry, e.g. Artifact Registry, carries them to Cloud Run by digest), while an image a service
/// names is pulled by Cloud Run itself, not by this machine.
/// </summary>
public sealed class CloudRunImages(IImageBuilder builder) : IImageBuilder
{
    public Task<BuiltImage> EnsureBuiltAsync(string project, string service, string tag, BuildContextFiles context, BuildSpec build, IProgress<string> log, CancellationToken cancellationToken) =>
        builder.EnsureBuiltAsync(project, service, tag, context, build, log, cancellationToken);

    public Task<string?> EnsureStarterBaseAsync(IProgress<string> log, CancellationToken cancellationToken) =>
        builder.EnsureStarterBaseAsync(log, cancellationToken);

    public Task<string?> EnsurePresentAsync(string image, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        log.Report($"{image}: Cloud Run pulls it");
        return Task.FromResult<string?>(null);
    }

    public Task<string> PushAsync(string local, string remote, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken) =>
        builder.PushAsync(local, remote, login, log, cancellationToken);
}
