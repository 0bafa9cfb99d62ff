using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Swarm;

/// <summary>
/// Waits while Swarm rolls a service out and keeps the ingress's route on the tasks that serve.
/// Swarm starts each new task first, waits for its health check, then stops an old one; on a
/// failure it rolls the whole service back. Each poll moves the route to the running tasks of the
/// version Swarm is heading for (the new one, or the old one once it rolls back), so a stopping
/// task leaves the route at once (the ingress retries a refused connection on another upstream).
/// A first version that never becomes healthy is removed again, as the container family does.
/// </summary>
internal sealed class SwarmRollout(SwarmDriver driver, ServiceChange change, IRolloutHost host, SwarmService? previous, bool templateChanged) : IRollout
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private static readonly string[] RolledBack = ["rollback_started", "rollback_completed", "rollback_paused"];

    /// <summary>How long a task may stay pending with the scheduler's reason before the rollout gives up (a node may be joining).</summary>
    private static readonly TimeSpan PendingGrace = TimeSpan.FromSeconds(5);

    private readonly DesiredService _desired = change.Node.Desired!;
    private readonly string _name = SwarmNames.Service(change.Project, change.Environment, change.Node.Desired!.Name);
    private string _routed = "";
    private long? _pendingSince;

    /// <summary>The journal's verb of the wait: no side effect, but a progress line with its time, as each replica has in the container family.</summary>
    public const string AwaitRollout = "await-rollout";

    public async Task<RolloutResult> WaitAsync(CancellationToken cancellationToken)
    {
        RolloutResult result = RolloutResult.Done;
        await host.StepAsync(
            new JournaledStep(AwaitRollout, _name) { Description = $"Swarm rolls out {_desired.Name}: {_desired.Replicas} task(s) of the new version, each healthy before an old one stops" },
            async t =>
            {
                result = await EngineErrors.Guard(driver.Options.Endpoint, () => WaitCoreAsync(t)).ConfigureAwait(false);
                return new StepResult(result.Succeeded, result.Detail);
            },
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<RolloutResult> WaitCoreAsync(CancellationToken cancellationToken)
    {
        var began = host.Clock.GetTimestamp();
        var before = previous?.UpdateStatus?.StartedAt;
        var oldFingerprint = previous?.Spec?.TaskTemplate?.ContainerSpec?.Labels is { } labels && labels.TryGetValue(Labels.Fingerprint, out var old) ? old : null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var service = await driver.InspectOwnedAsync(change.Project, change.Environment, _name, cancellationToken).ConfigureAwait(false)
                ?? throw new TargetConflictException($"Swarm service {_name} disappeared during its rollout");
            var tasks = await driver.Observer.TasksAsync([service.ID], cancellationToken).ConfigureAwait(false);
            var status = service.UpdateStatus is { } s && s.StartedAt != before ? s : null; // an update status of an earlier rollout says nothing of this one
            var rollingBack = status is not null && RolledBack.Contains(status.State);

            var serving = rollingBack && oldFingerprint is not null ? oldFingerprint : _desired.Fingerprint;
            await FollowAsync(tasks, serving, cancellationToken).ConfigureAwait(false);

            if (rollingBack)
            {
                if (status!.State == "rollback_started")
                {
                    await Task.Delay(Poll, host.Clock, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                return RolloutResult.Failed($"service {_desired.Name}: the new version is unhealthy ({Failure(tasks)}); Swarm rolled the service back ({status.State?.Replace('_', ' ')}: {status.Message})");
            }

            if (status?.State == "paused")
            {
                return RolloutResult.Failed($"service {_desired.Name}: Swarm paused the update ({status.Message}); {Failure(tasks)}");
            }

            if (Converged(tasks) && (!templateChanged || status?.State == "completed"))
            {
                // A new task template is rolled out once Swarm says so: its old tasks have stopped, as the container family removes its old replicas.
                await SwarmSecrets.RemoveUnusedAsync(driver.Client, change.Project, change.Environment, keep: [], cancellationToken).ConfigureAwait(false);
                return new RolloutResult(true, $"{_desired.Replicas} task(s) of the new version running");
            }

            if (Unplaceable(tasks) is { } unplaceable)
            {
                // Swarm would wait for a node forever: the platform gives up and undoes, as for any failed rollout.
                return await UndoAsync($"no node can run it ({unplaceable})", cancellationToken).ConfigureAwait(false);
            }

            if (previous is null && GaveUp(tasks) is { } reason)
            {
                return await UndoAsync($"unhealthy ({reason})", cancellationToken).ConfigureAwait(false);
            }

            if (host.Clock.GetElapsedTime(began) > Deadline())
            {
                return await UndoAsync($"Swarm did not finish the rollout in {Deadline().TotalSeconds:0} s ({Failure(tasks)})", cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(Poll, host.Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every task Swarm wants running is of the new version and runs, as many as wanted, and every other has stopped.</summary>
    private bool Converged(IList<TaskResponse> tasks)
    {
        var wanted = tasks.Where(t => t.DesiredState == TaskState.Running).ToList();
        return wanted.Count == _desired.Replicas
            && wanted.All(t => SwarmObserver.IsRunning(t) && Fingerprint(t) == _desired.Fingerprint)
            && !tasks.Any(t => t.DesiredState != TaskState.Running && t.Status?.State == TaskState.Running);
    }

    /// <summary>A first version failed its tasks twice over: Swarm would restart them forever.</summary>
    private string? GaveUp(IList<TaskResponse> tasks)
    {
        var failed = tasks.Count(t => t.Status?.State is TaskState.Failed or TaskState.Rejected && Fingerprint(t) == _desired.Fingerprint);
        return failed >= Math.Max(2, _desired.Replicas * 2) ? Failure(tasks) : null;
    }

    /// <summary>A task of the new version the scheduler has kept pending with a reason (no node meets its constraints) for <see cref="PendingGrace"/>.</summary>
    private string? Unplaceable(IList<TaskResponse> tasks)
    {
        var pending = tasks.FirstOrDefault(t => t.DesiredState == TaskState.Running && t.Status?.State == TaskState.Pending && !string.IsNullOrEmpty(t.Status.Err) && Fingerprint(t) == _desired.Fingerprint);
        if (pending is null)
        {
            _pendingSince = null;
            return null;
        }

        _pendingSince ??= host.Clock.GetTimestamp();
        return host.Clock.GetElapsedTime(_pendingSince.Value) > PendingGrace ? pending.Status!.Err : null;
    }

    /// <summary>
    /// Gives up on the new version: a first version is removed again (as the container family
    /// removes an unhealthy replica); a later one is put back to the spec it replaced, which Swarm
    /// rolls out start-first, so the old tasks serve throughout.
    /// </summary>
    private async Task<RolloutResult> UndoAsync(string why, CancellationToken cancellationToken)
    {
        if (previous is null)
        {
            await host.StepAsync(new JournaledStep(SwarmDriver.RemoveService, _name, InventoryChange.Removes) { Undoes = true }, t => driver.RemoveServiceAndWaitAsync(_name, t), cancellationToken).ConfigureAwait(false);
            return RolloutResult.Failed($"service {_desired.Name}: {why}; removed again");
        }

        await host.StepAsync(new JournaledStep(SwarmDriver.UpdateService, _name) { Undoes = true, Description = $"put Swarm service {_name} back to its previous spec" }, async t =>
        {
            var current = await driver.InspectOwnedAsync(change.Project, change.Environment, _name, t).ConfigureAwait(false)
                ?? throw new TargetConflictException($"Swarm service {_name} disappeared during its rollout");
            await driver.UpdateServiceAsync(current.ID, previous.Spec!, t).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return RolloutResult.Failed($"service {_desired.Name}: {why}; its previous spec is back");
    }

    /// <summary>Moves the route to the running tasks of <paramref name="fingerprint"/> whenever they change (never to none).</summary>
    private async Task FollowAsync(IList<TaskResponse> tasks, string fingerprint, CancellationToken cancellationToken)
    {
        if (change.Node.Route is null)
        {
            return;
        }

        var serving = string.Join(" ", tasks.Where(t => SwarmObserver.IsRunning(t) && Fingerprint(t) == fingerprint).Select(t => t.ID).Order(StringComparer.Ordinal));
        if (serving.Length == 0 || serving == _routed)
        {
            return;
        }

        var toward = fingerprint == _desired.Fingerprint ? change : change with { Node = change.Node with { Desired = _desired with { Fingerprint = fingerprint } } };
        await host.SwitchTrafficAsync(toward, [], cancellationToken).ConfigureAwait(false);
        _routed = serving;
    }

    /// <summary>Why the newest failed task of the new version failed, as the engine says it.</summary>
    private string Failure(IList<TaskResponse> tasks) =>
        tasks.Where(t => Fingerprint(t) == _desired.Fingerprint && t.Status?.State is TaskState.Failed or TaskState.Rejected or TaskState.Shutdown && !string.IsNullOrEmpty(t.Status.Err))
            .OrderByDescending(t => t.Status!.Timestamp)
            .Select(t => $"task {_desired.Name}.{t.Slot}: {t.Status!.Err}")
            .FirstOrDefault()
        ?? $"{tasks.Count(t => SwarmObserver.IsRunning(t) && Fingerprint(t) == _desired.Fingerprint)} of {_desired.Replicas} task(s) of the new version running";

    /// <summary>Generous: each task's start, health checks and monitor window, one after the other, plus pulling.</summary>
    private TimeSpan Deadline()
    {
        var health = _desired.Spec.Health;
        var perTask = SwarmSpec.Monitor(_desired) + (health is null ? TimeSpan.Zero : health.StartPeriod.Value + (health.Interval.Value * (health.Retries + 1))) + TimeSpan.FromSeconds(15);
        return TimeSpan.FromSeconds(60) + (perTask * Math.Max(1, _desired.Replicas));
    }

    private static string? Fingerprint(TaskResponse task) => SwarmSpec.FingerprintOf(task);
}
