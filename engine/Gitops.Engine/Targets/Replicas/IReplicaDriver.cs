using Gitops.Engine.Desired;
using Gitops.Engine.Secrets;

namespace Gitops.Engine.Targets.Replicas;

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
/// A target whose replicas the platform starts itself, one by one (the container family:
/// <see cref="TargetCapabilities.Rollout"/> is <see cref="RolloutOwner.Platform"/>). It implements
/// these verbs; its services roll out through <see cref="StartFirstRollout"/>, which this
/// interface wires in for it.
/// </summary>
public interface IReplicaDriver : ITargetDriver
{
    /// <summary>Creates and starts the replica; one that exists already is started if stopped.</summary>
    Task StartReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the replica counts as started by <see cref="Execution.StartupRule"/> (its health check
    /// passes, or without one it stays up for <see cref="Execution.StartupRule.MinimumUptime"/>), or fails.
    /// </summary>
    Task<HealthResult> WaitHealthyAsync(ReplicaRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Makes what a service changes in place true of its replicas, before any of its new replicas
    /// start: on the container family, the networks a service with <c>allowFrom</c> shares with the
    /// services it lists. Idempotent; nothing by default.
    /// </summary>
    Task SettleAsync(ServiceChange change, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// One look at a replica that runs (the server's health check after the deploy): its declared
    /// health check answered once, or, without one, whether it runs. Never waits for it to get better.
    /// </summary>
    Task<HealthResult> CheckReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken);

    /// <summary>Stops the replica (killed after <paramref name="stopTimeout"/>) and removes it; already gone is success.</summary>
    Task RemoveReplicaAsync(string name, TimeSpan stopTimeout, CancellationToken cancellationToken);

    Task<IRollout> ITargetDriver.ApplyServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        StartFirstRollout.ApplyAsync(this, change, host, cancellationToken);

    Task ITargetDriver.DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        StartFirstRollout.DeleteAsync(this, change, host, cancellationToken);

    Task<StepRecovery> ITargetDriver.RecoverStepAsync(State.JournalEntry step, CancellationToken cancellationToken) =>
        StartFirstRollout.RecoverAsync(this, step, cancellationToken);
}
