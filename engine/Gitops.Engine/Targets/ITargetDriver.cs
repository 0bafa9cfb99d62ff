using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Engine.Targets;

/// <summary>
/// What the platform asks of a deployment target, one service at a time: observe what runs, make
/// the environment and its volumes exist, change a service and wait for its rollout, delete it.
/// Every verb is idempotent and names objects deterministically: "already exists" and "already
/// gone" are success (DESIGN §3 rule 5). How a service rolls out is the target's business; it says
/// what it can do in <see cref="Capabilities"/>. A new kind of target implements this once, in its
/// own project under <c>providers/</c> (docs/architecture.md).
/// </summary>
public interface ITargetDriver
{
    /// <summary>The kind of target as platform.yaml names it (<c>targets.&lt;name&gt;.kind</c>).</summary>
    string Kind { get; }

    TargetCapabilities Capabilities { get; }

    /// <summary>
    /// What this target, as it is set up now, cannot run of <paramref name="desired"/> although its kind
    /// can (a runtime that is not installed): one refusal per field, like <see cref="CapabilityCheck"/>'s,
    /// asked before anything is built or changed.
    /// </summary>
    Task<IReadOnlyList<string>> RefusalsAsync(Desired.DesiredState desired, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Whether the target answers now: its version, or why not (it never throws for that).</summary>
    Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The environment's services as the target runs them, found by ownership (never by name
    /// alone): each instance with its fingerprint, whether it is ready, and the endpoint an ingress
    /// can reach; the environment's network and volumes.
    /// </summary>
    Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken);

    /// <summary>
    /// What happened to the environment's instances that their running state hides (restarts, a kill
    /// for memory): asked by status and the server's health check, not by every plan. None by default.
    /// </summary>
    Task<IReadOnlyList<ReplicaCondition>> ConditionsAsync(string project, string environment, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ReplicaCondition>>([]);

    /// <summary>
    /// A reading of what the running instances of <paramref name="services"/> use (CPU time, memory),
    /// for the platform's autoscaler; empty when the target cannot tell (or scales by itself).
    /// </summary>
    Task<IReadOnlyList<ReplicaUsage>> UsageAsync(string project, string environment, IReadOnlySet<string> services, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ReplicaUsage>>([]);

    /// <summary>Makes the environment's own space exist (a network, a namespace): <paramref name="name"/> from <c>Names.Network</c>.</summary>
    Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken);

    /// <summary>Removes an environment space of this environment (its current one, or one under an older name).</summary>
    Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken);

    /// <summary>Makes the volume exist; one of that name owned by another environment is refused.</summary>
    Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken);

    Task RemoveVolumeAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Starts changing one service as its plan node says (create, update, replace) and returns the
    /// rollout to wait on. Side effects go through <paramref name="host"/> as journaled steps, so a
    /// crash at any point leaves nothing the next run cannot find.
    /// </summary>
    Task<IRollout> ApplyServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken);

    /// <summary>Removes the service's instances the plan node names (a prune or a destroy).</summary>
    Task DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken);

    /// <summary>
    /// Settles a step of this target that an apply journaled as started and never finished (the
    /// process died). A step that needs nothing (the next plan converges it) is left untouched.
    /// </summary>
    Task<StepRecovery> RecoverStepAsync(JournalEntry step, CancellationToken cancellationToken);
}

/// <param name="Detail">The target's version when it answers, else why it does not.</param>
public sealed record TargetProbe(bool Answers, string Detail);

/// <summary>What recovery did about an interrupted step.</summary>
public enum StepRecovery
{
    /// <summary>Nothing to do now: the next plan converges whatever the step left.</summary>
    Untouched,

    /// <summary>The step's object was removed again: it never became what the step wanted (a replica that never passed its health check).</summary>
    Undone,

    /// <summary>The step's object is gone, as the step (a removal) wanted.</summary>
    Finished,
}

/// <summary>One service's change as the executor hands it to the target: the plan node and what it needs to run.</summary>
/// <param name="Network">The environment's space (<see cref="ITargetDriver.EnsureEnvironmentAsync"/>).</param>
/// <param name="Secrets">The values of the secrets the service names, or null when it names none.</param>
public sealed record ServiceChange(string Project, string Environment, string DeploymentId, string Network, PlanNode Node, SecretValues? Secrets = null);
