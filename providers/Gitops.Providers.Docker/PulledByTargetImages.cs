using Gitops.Engine.Execution;
using Gitops.Engine.Images;
using Gitops.Engine.Sources;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// Images for a target that pulls them itself (a cluster's nodes, Fargate, Cloud Run, Container Apps):
/// built and pushed by a Docker engine on this machine (the platform's registry carries them to the
/// target by digest), while an image a service names is pulled by the target, not by this machine
/// (which may not even reach that registry).
/// </summary>
/// <param name="pulls">Who pulls, as the progress line says it: "Fargate pulls it", "the cluster's nodes pull it".</param>
public sealed class PulledByTargetImages(IImageBuilder builder, string pulls) : IImageBuilder
{
    public Task<BuiltImage> EnsureBuiltAsync(string project, string service, string tag, BuildContextFiles context, BuildSpec build, IProgress<string> log, CancellationToken cancellationToken) =>
        builder.EnsureBuiltAsync(project, service, tag, context, build, log, cancellationToken);

    public Task<string?> EnsureStarterBaseAsync(IProgress<string> log, CancellationToken cancellationToken) =>
        builder.EnsureStarterBaseAsync(log, cancellationToken);

    public Task<string?> EnsurePresentAsync(string image, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        log.Report($"{image}: {pulls}");
        return Task.FromResult<string?>(null);
    }

    public Task<string> PushAsync(string local, string remote, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken) =>
        builder.PushAsync(local, remote, login, log, cancellationToken);
}
