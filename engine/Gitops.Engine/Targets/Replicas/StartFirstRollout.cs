using System.Globalization;
using Gitops.Engine.Planning;
using Gitops.Engine.State;

namespace Gitops.Engine.Targets.Replicas;

/// <summary>
/// The container family's rollout, run by the platform: start the plan node's new replicas one at a
/// time, each gated by its health check; switch the route to them; let the old replicas drain;
/// then remove the old ones. A replica that fails its health check is removed again and the
/// old ones, never touched, keep serving: that is the whole rollback. The <c>recreate</c>
/// strategy (and a replica restarted under its own name) removes first. The plan says which
/// replicas to start and remove; this decides only the order.
/// </summary>
public static class StartFirstRollout
{
    /// <summary>How long a stopping replica gets before it is killed; the service's drain time when shorter.</summary>
    public static readonly TimeSpan MaxStopGrace = TimeSpan.FromSeconds(10);

    /// <summary>The journal's verbs, read back by <see cref="RecoverAsync"/>.</summary>
    public const string StartReplica = "start-replica";
    public const string RemoveReplica = "remove-container";

    /// <summary>In-place settings (<see cref="IReplicaDriver.SettleAsync"/>): repeated by the next apply when interrupted.</summary>
    public const string Settle = "settle-service";

    public static async Task<IRollout> ApplyAsync(IReplicaDriver replicas, ServiceChange change, IRolloutHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(host);
        var node = change.Node;
        var desired = node.Desired ?? throw new ArgumentException($"{node.Id} has no desired spec: delete it instead", nameof(change));
        var grace = desired.Drain.Value < MaxStopGrace ? desired.Drain.Value : MaxStopGrace;
        if (WhoMayConnectMatters(node))
        {
            await host.StepAsync(new JournaledStep(Settle, node.Name) { Description = $"settle who may connect to and from {node.Name}" }, t => replicas.SettleAsync(change, t), cancellationToken).ConfigureAwait(false);
        }

        if (node.StopFirst)
        {
            await RemoveAsync(replicas, host, node.Remove, grace, undo: false, cancellationToken).ConfigureAwait(false);
        }

        var started = new List<string>();
        foreach (var index in node.Start)
        {
            var replica = new ReplicaRequest(change.Project, change.Environment, change.DeploymentId, change.Network, desired, index, change.Secrets);
            var health = await StartAsync(replicas, host, replica, cancellationToken).ConfigureAwait(false);
            started.Add(replica.Name);
            if (!health.Completed)
            {
                // Start-first: the old replicas were never touched, so removing the new ones is the whole rollback.
                await RemoveAsync(replicas, host, started, grace, undo: true, cancellationToken).ConfigureAwait(false);
                return new CompletedRollout(RolloutResult.Failed($"service {node.Name}: replica {index} is unhealthy ({health.Detail}); rolled back"));
            }
        }

        if (node.Route is not null)
        {
            await host.SwitchTrafficAsync(change, node.Remove, cancellationToken).ConfigureAwait(false);
        }

        if (!node.StopFirst)
        {
            await RemoveAsync(replicas, host, node.Remove, grace, undo: false, cancellationToken).ConfigureAwait(false);
        }

        return new CompletedRollout(RolloutResult.Done);
    }

    /// <summary>A service no longer wanted: its replicas go (their route went first, by the plan's order).</summary>
    public static Task DeleteAsync(IReplicaDriver replicas, ServiceChange change, IRolloutHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return RemoveAsync(replicas, host, change.Node.Remove, MaxStopGrace, undo: false, cancellationToken);
    }

    /// <summary>
    /// An interrupted start is undone (the replica never passed its health check) and an interrupted
    /// removal is finished: either way the replica goes.
    /// </summary>
    public static async Task<StepRecovery> RecoverAsync(IReplicaDriver replicas, JournalEntry step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(step);
        if (step.Action is not (StartReplica or RemoveReplica))
        {
            return StepRecovery.Untouched;
        }

        await replicas.RemoveReplicaAsync(step.Target, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        return step.Action == StartReplica ? StepRecovery.Undone : StepRecovery.Finished;
    }

    /// <summary>The service lets only some services in, is let in somewhere, or just stopped being either.</summary>
    private static bool WhoMayConnectMatters(PlanNode node) =>
        node.Desired!.Extras.AllowFrom.Count > 0 || node.Desired.Extras.AllowedInto.Count > 0
        || node.Changes.Any(c => c.Field is "allowFrom" or "allowedInto");

    private static Task<StepResult> StartAsync(IReplicaDriver replicas, IRolloutHost host, ReplicaRequest replica, CancellationToken cancellationToken) =>
        host.StepAsync(
            new JournaledStep(StartReplica, replica.Name, InventoryChange.Adds) { Description = $"start {replica.Service.Name} replica {replica.Index} ({replica.Name})" },
            async t =>
            {
                // Both halves are timed: the deployment's timeline shows where a rollout's seconds go.
                var began = host.Clock.GetTimestamp();
                await replicas.StartReplicaAsync(replica, t).ConfigureAwait(false);
                var started = host.Clock.GetElapsedTime(began);
                var health = await replicas.WaitHealthyAsync(replica, t).ConfigureAwait(false);
                var ready = host.Clock.GetElapsedTime(began) - started;
                return new StepResult(health.Healthy, string.Create(CultureInfo.InvariantCulture, $"{health.Detail}; started in {started.TotalSeconds:0.00} s, ready {ready.TotalSeconds:0.00} s later"));
            },
            cancellationToken);

    private static async Task RemoveAsync(IReplicaDriver replicas, IRolloutHost host, IEnumerable<string> names, TimeSpan grace, bool undo, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            await host.StepAsync(new JournaledStep(RemoveReplica, name, InventoryChange.Removes) { Undoes = undo }, t => replicas.RemoveReplicaAsync(name, grace, t), cancellationToken).ConfigureAwait(false);
        }
    }
}
