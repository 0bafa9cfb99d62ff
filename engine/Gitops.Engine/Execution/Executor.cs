using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Engine.Execution;

/// <summary>
/// Applies a plan by walking its DAG: a node starts once the nodes it depends on are applied,
/// and independent nodes run side by side. It decides nothing: the plan says what changes, and the
/// target says how a service rolls out (<see cref="ITargetDriver.ApplyServiceAsync"/>). As the
/// targets' <see cref="IRolloutHost"/> it journals every side effect before it happens and after it
/// succeeds, and enters every name in the inventory before the object exists, so a crash at any
/// point leaves nothing the next run cannot find (<see cref="Recovery"/>). A rollout that fails
/// leaves the old version serving: the deployment is rolled back.
/// </summary>
public sealed class Executor(ITargetDriver driver, StateStore state, ISecretSource secrets, IProgress<ExecutorEvent> progress, IIngress? ingress = null, ExecutionHooks? hooks = null) : IRolloutHost
{
    /// <summary>Nodes applied at once; engines serialize much of their work, so more buys little.</summary>
    public const int MaxParallel = 16;

    private readonly ExecutionHooks _hooks = hooks ?? ExecutionHooks.FromEnvironment();

    TimeProvider IRolloutHost.Clock => _hooks.Clock;

    private readonly List<DeploymentStep> _steps = [];
    private Deployment _deployment = null!;
    private int _sequence;
    private long _began;

    /// <summary>Applies the plan as <paramref name="deployment"/> (recorded as running here, if it was not already).</summary>
    public async Task<Deployment> ApplyAsync(Plan plan, Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(deployment);
        _deployment = deployment with { Status = DeploymentStatus.Running };
        _began = _hooks.Clock.GetTimestamp();
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
                    if (e is TargetException)
                    {
                        _hooks.Events.Publish(new Events.PlatformEvent(Events.PlatformEvent.TargetError, plan.Project, plan.Environment, _hooks.Clock.GetUtcNow())
                        {
                            DeploymentId = _deployment.Id,
                            TargetKind = driver.Kind,
                            Detail = e switch { TargetUnavailableException => "unavailable", TargetConflictException => "conflict", _ => "refused" },
                        });
                    }
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
            case (ResourceKind.Network, PlanAction.Create or PlanAction.Update): // ensuring the environment builds its walls again
                await this.StepAsync(new JournaledStep("create-network", node.Name, InventoryChange.Adds), t => driver.EnsureEnvironmentAsync(plan.Project, plan.Environment, node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Volume, PlanAction.Create):
                await this.StepAsync(new JournaledStep("create-volume", node.Name, InventoryChange.Adds), t => driver.EnsureVolumeAsync(plan.Project, plan.Environment, node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Network, PlanAction.Delete):
                await this.StepAsync(new JournaledStep("remove-network", node.Name, InventoryChange.Removes), t => driver.RemoveEnvironmentAsync(node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Volume, PlanAction.Delete):
                await this.StepAsync(new JournaledStep("remove-volume", node.Name, InventoryChange.Removes), t => driver.RemoveVolumeAsync(node.Name, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Service, _) when node.Desired is null:
                await driver.DeleteServiceAsync(Change(plan, node), this, cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Service, _):
                var rollout = await driver.ApplyServiceAsync(Change(plan, node), this, cancellationToken).ConfigureAwait(false);
                var result = await rollout.WaitAsync(cancellationToken).ConfigureAwait(false);
                return result.Succeeded ? null : result.Detail;
            case (ResourceKind.Route, PlanAction.Create or PlanAction.Update):
                var upstreams = Upstreams(await driver.ObserveAsync(plan.Project, plan.Environment, cancellationToken).ConfigureAwait(false), node.Desired, node.Route!, []);
                await this.StepAsync(new JournaledStep("set-route", node.Route!.Id), t => Ingress.SetRouteAsync(node.Route, upstreams, t), cancellationToken).ConfigureAwait(false);
                return null;
            case (ResourceKind.Route, PlanAction.Delete):
                await this.StepAsync(new JournaledStep("remove-route", node.Route!.Id), t => Ingress.RemoveRouteAsync(node.Route.Id, t), cancellationToken).ConfigureAwait(false);
                return null;
            default:
                throw new InvalidOperationException($"the executor has no step for {node.Action} {node.Kind}");
        }
    }

    private ServiceChange Change(Plan plan, PlanNode node)
    {
        var values = node.Desired is { Spec.Secrets.Count: > 0 } desired ? secrets.ResolveFor(plan.Project, plan.Environment, desired.Spec) : null;
        return new ServiceChange(plan.Project, plan.Environment, _deployment.Id, Names.Network(plan.Project, plan.Environment), node, values);
    }

    /// <summary>
    /// The new replicas passed their health check: the route now sends to them (and to the
    /// replicas that stay), in one atomic change; then the old replicas drain before they stop.
    /// </summary>
    async Task IRolloutHost.SwitchTrafficAsync(ServiceChange change, IReadOnlyCollection<string> leaving, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Node is not { Route: { } route, Desired: { } desired })
        {
            return;
        }

        var observed = await driver.ObserveAsync(change.Project, change.Environment, cancellationToken).ConfigureAwait(false);
        var drained = observed.Containers
            .Where(c => leaving.Contains(c.Name) && c.Address is not null)
            .Select(c => Upstream(c.Address!, route.Port))
            .ToList();
        var upstreams = Upstreams(observed, desired, route, leaving);
        await this.StepAsync(new JournaledStep("switch-route", route.Id), t => Ingress.SetRouteAsync(route, upstreams, t), cancellationToken).ConfigureAwait(false);
        if (drained.Count > 0)
        {
            await this.StepAsync(new JournaledStep("drain", string.Join(" ", drained)), t => Ingress.DrainAsync(drained, desired.Drain.Value, t), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The route's upstreams: ready instances of the service's desired spec, but for those about to go.</summary>
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

    /// <summary>
    /// Every side effect: journaled as started, its name entered in the inventory before the object
    /// can exist, then run, then journaled as done (or undone) and its name taken out if it removed
    /// something. The crash hook sits on both sides of the effect.
    /// </summary>
    async Task<StepResult> IRolloutHost.StepAsync(JournaledStep step, Func<CancellationToken, Task<StepResult>> effect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(effect);
        var sequence = Journal(step.Action, step.Target, JournalPhase.Started);
        if (step.Inventory == InventoryChange.Adds)
        {
            state.AddToInventory(_deployment.Project, _deployment.Environment, step.Target);
        }

        await _hooks.Crash.BeforeAsync(sequence, cancellationToken).ConfigureAwait(false);
        var started = _hooks.Clock.GetTimestamp();
        var result = await effect(cancellationToken).ConfigureAwait(false);
        await _hooks.Crash.AfterAsync(sequence, cancellationToken).ConfigureAwait(false);
        if (result.Completed)
        {
            Journal(step.Action, step.Target, step.Undoes ? JournalPhase.Undone : JournalPhase.Done, sequence);
            if (step.Inventory == InventoryChange.Removes)
            {
                state.RemoveFromInventory(_deployment.Project, _deployment.Environment, step.Target);
            }
        }

        Report(step.Description ?? $"{step.Action.Replace('-', ' ')} {step.Target}", result.Completed, result.Detail, _hooks.Clock.GetElapsedTime(started));
        return result;
    }

    void IRolloutHost.Progress(string step, string detail) => progress.Report(new ExecutorEvent(step, true, detail, _hooks.Clock.GetElapsedTime(_began)));

    private int Journal(string action, string target, JournalPhase phase, int? sequence = null)
    {
        var number = sequence ?? Interlocked.Increment(ref _sequence);
        state.Journal(new JournalEntry(_deployment.Id, number, action, target, phase));
        return number;
    }

    private void Report(string step, bool ok, string detail, TimeSpan duration)
    {
        lock (_steps)
        {
            var ended = _hooks.Clock.GetElapsedTime(_began);
            _steps.Add(new DeploymentStep(step, ok ? detail : $"failed: {detail}", (long)duration.TotalMilliseconds) { StartedMs = (long)(ended - duration).TotalMilliseconds });
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
                services[node.Name] = new RecordedService(desired.Fingerprint, desired.Replicas, desired.Spec) { Extras = desired.Extras };
            }
            else
            {
                services.Remove(node.Name);
            }
        }

        state.Record(plan.Project, plan.Environment, before with { Revision = status == DeploymentStatus.Succeeded ? plan.Revision : before.Revision, Services = new ValueMap<RecordedService>(services) });
        _deployment = _deployment with { Status = status, Error = error, FinishedAt = _hooks.Clock.GetUtcNow(), Steps = [.. _steps] };
        state.SaveDeployment(_deployment);
        return _deployment;
    }
}
