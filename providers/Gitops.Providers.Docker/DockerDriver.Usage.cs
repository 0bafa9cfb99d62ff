using Gitops.Engine.Observed;

namespace Gitops.Providers.Docker;

/// <summary>What each running replica uses, for the platform's autoscaler (<see cref="EngineUsage"/>).</summary>
public sealed partial class DockerDriver
{
    public Task<IReadOnlyList<ReplicaUsage>> UsageAsync(string project, string environment, IReadOnlySet<string> services, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
            await EngineUsage.ReadAsync(Client, await OwnedContainersAsync(project, environment, cancellationToken).ConfigureAwait(false), services, cancellationToken).ConfigureAwait(false));
}
