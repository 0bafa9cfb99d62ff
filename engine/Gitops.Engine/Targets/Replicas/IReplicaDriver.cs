using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Secrets;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Execution;

/// <summary>A replica to run: which service, which copy, on which network, with which secret values.</summary>
public sealed record ReplicaRequest(
    string Project,
    string Environment,
    string DeploymentId,
    string Network,
    DesiredService Service,
    int Index,
    SecretValues? Secrets = null)
{
    public string Name => Names.Replica(Project, Environment, Service.Name, Service.Fingerprint, Index);
}

public sealed record HealthResult(bool Healthy, string Detail);

/// <summary>
/// What the executor asks of a container engine. Every verb is idempotent and named
/// deterministically: "already exists" and "already gone" are success (DESIGN §3 rule 5).
/// One implementation per driver family (DockerDriver for Docker and Podman).
/// </summary>
public interface IEngineDriver
{
    EngineKind Kind { get; }

    Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken);

    Task EnsureNetworkAsync(string project, string environment, string name, CancellationToken cancellationToken);

    Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken);

    /// <summary>Creates and starts the replica; one that exists already is started if stopped.</summary>
    Task StartReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the replica counts as started by <see cref="StartupRule"/> (its health check
    /// passes, or without one it stays up for <see cref="StartupRule.MinimumUptime"/>), or fails.
    /// </summary>
    Task<HealthResult> WaitHealthyAsync(ReplicaRequest request, CancellationToken cancellationToken);

    Task RemoveContainerAsync(string name, TimeSpan stopTimeout, CancellationToken cancellationToken);

    Task RemoveNetworkAsync(string name, CancellationToken cancellationToken);

    Task RemoveVolumeAsync(string name, CancellationToken cancellationToken);
}
