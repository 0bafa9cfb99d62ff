using System.Diagnostics;
using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Engine.Execution;

/// <summary>
/// Applies a plan by walking its DAG: a node starts once the nodes it depends on are applied,
/// and independent nodes run side by side. It decides nothing: the plan says what to start and
/// remove. Every side effect is journaled before it happens and after it succeeds, and
/// every name enters the inventory before the object exists, so a crash at any point leaves
/// nothing the next run cannot find (<see cref="Recovery"/>). A replica that fails its health
/// check is removed again and the old ones keep serving: the deployment is rolled back.
/// </summary>
public sealed class Executor(IEngineDriver driver, StateStore state, ISecretSource secrets, IProgress<ExecutorEvent> progress, IIngress? ingress = null)
{
    /// <summary>How long a stopping container gets before it is killed; the drain time when shorter.</summary>
    public static readonly TimeSpan MaxStopGrace = TimeSpan.FromSeconds(10);

    /// <summary>Nodes applied at once; engines serialize much of their work, so more buys little.</summary>
    public const int MaxParallel = 16;

    private readonly List<DeploymentStep> _steps = [];
    private Deployment _deployment = null!;
    private int _sequence;

    /// <summary>Applies the plan as <paramref name="deployment"/> (recorded as running here, if it was not already).</summary>
    public async Task<Deployment> ApplyAsync(Plan plan, Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(deployment);
        _deployment = deployment with { Status = DeploymentStatus.Running };
        state.SaveDeployment(_deployment);

        var (applied, failure, error) = await WalkAsync(plan, cancellationToken).ConfigureAwait(false);
        return error is not null ? Finish(plan, applied, DeploymentStatus.Failed, error.Message)
            : failure is not null ? Finish(plan, applied, DeploymentStatus.RolledBack, failure)
            : Finish(plan, applied, DeploymentStatus.Succeeded, null);
    }

    /// <summary>
    /// Runs ready nodes side by side; after a rollback or an error no new node starts, and those
    /// running finish. Nodes are tracked by id, never by their task: nodes that finish at once
    /// (every no-op) can share one completed task. A node left over with no failure to explain it
    /// is an error, never a silent success.
    /// </summary>
    private async Task<(List<PlanNode> Applied, string? Failure, Exception? Error)> WalkAsync(Plan plan, CancellationToken cancellationToken)
    {
        var applied = new List<PlanNode>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var pending = plan.Nodes.ToList();
        var running = new Dictionary<string, (PlanNode Node, Task<string?> Task)>(StringComparer.Ordinal);
        string? failure = null;
        Exception? error = null;
        while (true)
        {
            if (failure is null && error is null)
            {
                foreach (var node in pending.Where(n => n.DependsOn.All(done.Contains)).Take(MaxParallel - running.Count).ToList())
                {
                    pending.Remove(node);
                    running.Add(node.Id, (node, ApplyNodeAsync(plan, node, cancellationToken)));
                }
            }

            if (running.Count == 0)
            {
                return (applied, failure, error ?? LeftOver(pending, done, failure));
            }

            await Task.WhenAny(running.Values.Select(r => r.Task)).ConfigureAwait(false);
            foreach (var (id, (node, task)) in running.Where(r => r.Value.Task.IsCompleted).ToList())
            {
                running.Remove(id);
                try
                {
                    if (await task.ConfigureAwait(false) is { } reason)
                    {
                        failure ??= reason;
                    }
                    else
                    {
                        applied.Add(node);
                        done.Add(node.Id);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    error ??= e;
                }
            }
        }
    }

    /// <summary>Nodes the walk never reached although nothing failed: the plan cannot be trusted as applied.</summary>
    private static InvalidOperationException? LeftOver(List<PlanNode> pending, HashSet<string> done, string? failure)
    {
        if (failure is not null || pending.Count == 0)
        {
            return null;
        }

        var nodes = pending.Select(n => $"{n.Id} (waits for {string.Join(", ", n.DependsOn.Where(d => !done.Contains(d)))})");
        return new InvalidOperationException($"the plan was not fully applied: {pending.Count} node(s) never became ready: {string.Join("; ", nodes)}");
    }

    /// <returns>Null on success, or why the node was rolled back.</returns>
    private async Task<string?> ApplyNodeAsync(Plan plan, PlanNode node, CancellationToken cancellationToken)
    {
        switch (node.Kind, node.Action)
        {
            case (_, PlanAction.NoOp):
                return null;
            case (ResourceKind.Network, PlanAction.Create):
                await StepAsync(plan, "create-network", node.Name, t => driver.EnsureNetworkAsync(plan.Project, plan.Environment, node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Volume, PlanAction.Create):
                await StepAsync(plan, "create-volume", node.Name, t => driver.EnsureVolumeAsync(plan.Project, plan.Environment, node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Network, PlanAction.Delete):
                await StepAsync(plan, "remove-network", node.Name, t => driver.RemoveNetworkAsync(node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Volume, PlanAction.Delete):
                await StepAsync(plan, "remove-volume", node.Name, t => driver.RemoveVolumeAsync(node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Service, _):
                return await ApplyServiceAsync(plan, node, cancellationToken).ConfigureAwait(false);
            case (ResourceKind.Route, PlanAction.Create or PlanAction.Update):
                var upstreams = Upstreams(await driver.ObserveAsync(plan.Project, plan.Environment, cancellationToken).ConfigureAwait(false), node.Desired, node.Route!, []);
                await StepAsync(plan, "set-route", node.Route!.Id, t => Ingress.SetRouteAsync(node.Route, upstreams, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Route, PlanAction.Delete):
                await StepAsync(plan, "remove-route", node.Route!.Id, t => Ingress.RemoveRouteAsync(node.Route.Id, t), cancellationToken).ConfigureAwait(false);
                return null;
            default:
                throw new InvalidOperationException($"the executor has no step for {node.Action} {node.Kind}");
        }
    }

    private async Task<string?> ApplyServiceAsync(Plan plan, PlanNode node, CancellationToken cancellationToken)
    {
        var grace = node.Desired is { } desired && desired.Drain.Value < MaxStopGrace ? desired.Drain.Value : MaxStopGrace;
        if (node.StopFirst || node.Desired is null)
        {
            await RemoveAllAsync(plan, node.Remove, grace, cancellationToken).ConfigureAwait(false);
        }

        var started = new List<ReplicaRequest>();
        foreach (var index in node.Start)
        {
            var values = node.Desired!.Spec.Secrets.Count == 0 ? null : secrets.Resolve(plan.Project, plan.Environment, node.Desired.Spec.Secrets);
            var replica = new ReplicaRequest(plan.Project, plan.Environment, _deployment.Id, Names(plan), node.Desired, index, values);
            var health = await StartReplicaAsync(plan, replica, cancellationToken).ConfigureAwait(false);
            started.Add(replica);
            if (!health.Healthy)
            {
                // Start-first: the old replicas were never touched, so removing the new ones is the whole rollback.
                await RemoveAllAsync(plan, started.Select(r => r.Name), grace, cancellationToken, JournalPhase.Undone).ConfigureAwait(false);
                return $"service {node.Name}: replica {index} is unhealthy ({health.Detail}); rolled back";
            }
        }

        if (node.Route is { } route && node.Desired is not null)
        {
            await SwitchTrafficAsync(plan, node, route, cancellationToken).ConfigureAwait(false);
        }

        if (!node.StopFirst && node.Desired is not null)
        {
            await RemoveAllAsync(plan, node.Remove, grace, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>
    /// The new replicas passed their health check: the route now sends to them (and to the
    /// replicas that stay), in one atomic change; then the old replicas drain before they stop.
    /// </summary>
    private async Task SwitchTrafficAsync(Plan plan, PlanNode node, DesiredRoute route, CancellationToken cancellationToken)
    {
        var observed = await driver.ObserveAsync(plan.Project, plan.Environment, cancellationToken).ConfigureAwait(false);
        var leaving = observed.Containers
            .Where(c => node.Remove.Contains(c.Name) && c.Address is not null)
            .Select(c => Upstream(c.Address!, route.Port))
            .ToList();
        var upstreams = Upstreams(observed, node.Desired, route, node.Remove);
        await StepAsync(plan, "switch-route", route.Id, t => Ingress.SetRouteAsync(route, upstreams, t), cancellationToken).ConfigureAwait(false);
        if (leaving.Count > 0)
        {
            var drain = node.Desired!.Drain.Value;
            await StepAsync(plan, "drain", string.Join(" ", leaving), t => Ingress.DrainAsync(leaving, drain, t), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The route's upstreams: running replicas of the service's desired spec, but for those about to go.</summary>
    private static List<string> Upstreams(ObservedState observed, DesiredService? service, DesiredRoute route, IEnumerable<string> leaving)
    {
        var gone = leaving.ToHashSet(StringComparer.Ordinal);
        return observed.Containers
            .Where(c => c.Service == route.Service && c.Running && c.Address is not null && !gone.Contains(c.Name))
            .Where(c => service is null || c.Fingerprint == service.Fingerprint)
            .Select(c => Upstream(c.Address!, route.Port))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string Upstream(string address, int port) => $"{address}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    private IIngress Ingress => ingress ?? throw new InvalidOperationException("the plan changes routes, but this platform has no ingress (ingress: in platform.yaml)");

    private async Task<HealthResult> StartReplicaAsync(Plan plan, ReplicaRequest replica, CancellationToken cancellationToken)
    {
        var sequence = Journal(plan, "start-replica", replica.Name, JournalPhase.Started);
        state.AddToInventory(plan.Project, plan.Environment, replica.Name);
        CrashHook.Before(sequence);
        var watch = Stopwatch.StartNew();
        await driver.StartReplicaAsync(replica, cancellationToken).ConfigureAwait(false);
        var health = await driver.WaitHealthyAsync(replica, cancellationToken).ConfigureAwait(false);
        CrashHook.After(sequence);
        if (health.Healthy)
        {
            Journal(plan, "start-replica", replica.Name, JournalPhase.Done, sequence);
        }

        Report($"start {replica.Service.Name} replica {replica.Index} ({replica.Name})", health.Healthy, health.Detail, watch.Elapsed);
        return health;
    }

    private async Task RemoveAllAsync(Plan plan, IEnumerable<string> containers, TimeSpan grace, CancellationToken cancellationToken, JournalPhase phase = JournalPhase.Done)
    {
        foreach (var container in containers)
        {
            await StepAsync(plan, "remove-container", container, t => driver.RemoveContainerAsync(container, grace, t), cancellationToken, phase).ConfigureAwait(false);
        }
    }

    private async Task StepAsync(Plan plan, string action, string target, Func<CancellationToken, Task> effect, CancellationToken cancellationToken, JournalPhase finished = JournalPhase.Done)
    {
        var sequence = Journal(plan, action, target, JournalPhase.Started);
        if (action.StartsWith("create", StringComparison.Ordinal))
        {
            state.AddToInventory(plan.Project, plan.Environment, target);
        }

        CrashHook.Before(sequence);
        var watch = Stopwatch.StartNew();
        await effect(cancellationToken).ConfigureAwait(false);
        CrashHook.After(sequence);
        Journal(plan, action, target, finished, sequence);
        if (action.StartsWith("remove", StringComparison.Ordinal))
        {
            state.RemoveFromInventory(plan.Project, plan.Environment, target);
        }

        Report($"{action.Replace('-', ' ')} {target}", true, finished == JournalPhase.Undone ? "rolled back" : "done", watch.Elapsed);
    }

    private int Journal(Plan plan, string action, string target, JournalPhase phase, int? sequence = null)
    {
        var number = sequence ?? Interlocked.Increment(ref _sequence);
        state.Journal(new JournalEntry(_deployment.Id, number, action, target, phase));
        return number;
    }

    private void Report(string step, bool ok, string detail, TimeSpan duration)
    {
        lock (_steps)
        {
            _steps.Add(new DeploymentStep(step, ok ? detail : $"failed: {detail}", (long)duration.TotalMilliseconds));
        }

        progress.Report(new ExecutorEvent(step, ok, detail, duration));
    }

    private Deployment Finish(Plan plan, List<PlanNode> applied, DeploymentStatus status, string? error)
    {
        var before = state.Recorded(plan.Project, plan.Environment);
        var services = before.Services.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var node in applied.Where(n => n.Kind == ResourceKind.Service))
        {
            if (node.Desired is { } desired)
            {
                services[node.Name] = new RecordedService(desired.Fingerprint, desired.Replicas, desired.Spec);
            }
            else
            {
                services.Remove(node.Name);
            }
        }

        state.Record(plan.Project, plan.Environment, before with { Revision = status == DeploymentStatus.Succeeded ? plan.Revision : before.Revision, Services = new ValueMap<RecordedService>(services) });
        _deployment = _deployment with { Status = status, Error = error, FinishedAt = DateTimeOffset.UtcNow, Steps = [.. _steps] };
        state.SaveDeployment(_deployment);
        return _deployment;
    }

    private static string Names(Plan plan) => Desired.Names.Network(plan.Project, plan.Environment);
}
