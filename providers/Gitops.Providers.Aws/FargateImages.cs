using Gitops.Engine.Execution;
using Gitops.Engine.Images;
using Gitops.Engine.Sources;
using Gitops.Schema.Model;

namespace Gitops.Providers.Aws;

/// <summary>
/// Images for Fargate: built and pushed by a Docker engine on this machine (the platform's registry,
/// e.g. ECR, carries them to Fargate by digest), while an image a service names is pulled by Fargate
/// itself, not by this machine.
/// </summary>
public sealed class FargateImages(IImageBuilder builder) : IImageBuilder
{
    public Task<BuiltImage> EnsureBuiltAsync(string project, string service, string tag, BuildContextFiles context, BuildSpec build, IProgress<string> log, CancellationToken cancellationToken) =>
        builder.EnsureBuiltAsync(project, service, tag, context, build, log, cancellationToken);

    public Task<string?> EnsureStarterBaseAsync(IProgress<string> log, CancellationToken cancellationToken) =>
        builder.EnsureStarterBaseAsync(log, cancellationToken);

    public Task<string?> EnsurePresentAsync(string image, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        log.Report($"{image}: Fargate pulls it");
        return Task.FromResult<string?>(null);
    }

    public Task<string> PushAsync(string local, string remote, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken) =>
        builder.PushAsync(local, remote, login, log, cancellationToken);
}
