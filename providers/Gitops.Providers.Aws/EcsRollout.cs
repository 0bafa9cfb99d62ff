using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws.Api;

namespace Gitops.Providers.Aws;

/// <summary>
/// Waits while ECS rolls a service out on its new task definition revision. ECS starts the new
/// tasks beside the old ones (minimum healthy 100 %) and its deployment circuit breaker puts the
/// previous revision back when they fail; the platform reports that as a failed rollout, once the
/// previous revision serves again. Done is ECS's own word: the PRIMARY deployment on the new
/// revision is COMPLETED and alone. Only with <c>settle: running-tasks-test-only</c> (moto, whose
/// deployments never complete) is done read from the tasks instead. Past the target's timeout the
/// platform gives up itself and puts the previous revision back (or removes a first one).
/// </summary>
internal sealed class EcsRollout(EcsDriver driver, ServiceChange change, IRolloutHost host, string name, string revision, string? previous, Func<CancellationToken, Task>? restoreCrons = null) : IRollout
{
    /// <summary>The journal's verb of the wait: no side effect, a progress line with its time.</summary>
    public const string AwaitRollout = "await-ecs-rollout";

    private readonly DesiredService _desired = change.Node.Desired!;
    private readonly EcsOptions _options = driver.Options;

    public Task<RolloutResult> WaitAsync(CancellationToken cancellationToken) =>
        host.AwaitRolloutAsync(
            new JournaledStep(AwaitRollout, EcsNames.Instance(change.Project, change.Environment, _desired.Name))
            {
                Description = $"ECS rolls out {_desired.Name} on {Short(revision)}: new tasks healthy before old ones stop; its circuit breaker rolls back a failing revision",
            },
            t => AwsErrors.Guard(() => WaitCoreAsync(t)),
            cancellationToken);

    private async Task<RolloutResult> WaitCoreAsync(CancellationToken cancellationToken)
    {
        var began = host.Clock.GetTimestamp();
        var deadline = TimeSpan.FromSeconds(_options.RolloutTimeoutSeconds);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var service = await driver.Observer.ServiceAsync(change.Project, change.Environment, name, cancellationToken).ConfigureAwait(false)
                ?? throw new TargetConflictException($"ECS service {name} disappeared during its rollout");
            var primary = service.Deployments.FirstOrDefault(d => d.Status == "PRIMARY");
            if (service.TaskDefinition != revision)
            {
                // ECS's circuit breaker (or someone) put another revision back: the new one is not what serves.
                await SettleAsync(service.TaskDefinition, began, deadline, cancellationToken).ConfigureAwait(false);
                await RestoreCronsAsync(cancellationToken).ConfigureAwait(false);
                return RolloutResult.Failed($"service {_desired.Name}: the new revision {Short(revision)} is unhealthy ({Why(service)}); ECS's deployment circuit breaker rolled the service back to {Short(service.TaskDefinition)}, which serves");
            }

            if (primary?.RolloutState == "FAILED" && previous is null)
            {
                return await UndoAsync($"unhealthy ({Why(service)})", cancellationToken).ConfigureAwait(false);
            }

            if (primary?.RolloutState != "FAILED" && await DoneAsync(service, revision, cancellationToken).ConfigureAwait(false))
            {
                return new RolloutResult(true, $"{service.DesiredCount} task(s) of {Short(revision)} running");
            }

            host.Progress(AwaitRollout, $"{_desired.Name}: {primary?.RolloutState ?? "no deployment"}, {primary?.RunningCount ?? 0} of {service.DesiredCount} task(s) of {Short(revision)} running");
            if (host.Clock.GetElapsedTime(began) > deadline)
            {
                return await UndoAsync($"ECS did not finish the rollout in {deadline.TotalSeconds:0} s ({Why(service)})", cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(_options.Poll, host.Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>ECS's word (the deployment on the revision COMPLETED and alone), or, in a test against moto only, the tasks'.</summary>
    private async Task<bool> DoneAsync(Service service, string on, CancellationToken cancellationToken)
    {
        if (_options.TrustsRunningTasks)
        {
            var tasks = await driver.Observer.TasksAsync(service.ServiceName, cancellationToken).ConfigureAwait(false);
            return tasks.Count == service.DesiredCount && tasks.All(t => t.TaskDefinitionArn == on && EcsObserver.Serving(t));
        }

        return service.Deployments.Count == 1 && service.Deployments[0].TaskDefinition == on && service.Deployments[0].RolloutState == "COMPLETED";
    }

    /// <summary>Waits (within the deadline) until the revision ECS went back to serves, so the failure is reported with the old version in place.</summary>
    private async Task SettleAsync(string on, long began, TimeSpan deadline, CancellationToken cancellationToken)
    {
        while (host.Clock.GetElapsedTime(began) <= deadline)
        {
            var service = await driver.Observer.ServiceAsync(change.Project, change.Environment, name, cancellationToken).ConfigureAwait(false);
            if (service is null || await DoneAsync(service, on, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(_options.Poll, host.Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives up: a first revision's service is removed again; a later one's previous revision is put back (ECS rolls it out start-first).</summary>
    private async Task<RolloutResult> UndoAsync(string why, CancellationToken cancellationToken)
    {
        var instance = EcsNames.Instance(change.Project, change.Environment, _desired.Name);
        if (previous is null)
        {
            await host.StepAsync(new JournaledStep(EcsDriver.DeleteService, instance, InventoryChange.Removes) { Undoes = true },
                t => driver.DeleteServiceObjectsAsync(change.Project, change.Environment, _desired.Name, t), cancellationToken).ConfigureAwait(false);
            return RolloutResult.Failed($"service {_desired.Name}: {why}; removed again");
        }

        await host.StepAsync(new JournaledStep(EcsDriver.ApplyService, instance) { Undoes = true, Description = $"put ECS service {name} back on {Short(previous)}" },
            t => driver.Ecs_.UpdateServiceAsync(new UpdateServiceRequest { Cluster = _options.Cluster!, Service = name, TaskDefinition = previous }, t), cancellationToken).ConfigureAwait(false);
        await RestoreCronsAsync(cancellationToken).ConfigureAwait(false);
        return RolloutResult.Failed($"service {_desired.Name}: {why}; its previous revision {Short(previous)} is back");
    }

    /// <summary>The crons run the service's image: a version rolled back never runs as one, so its schedules go back as they were.</summary>
    private Task RestoreCronsAsync(CancellationToken cancellationToken) =>
        restoreCrons is null
            ? Task.CompletedTask
            : host.StepAsync(
                new JournaledStep(EcsDriver.ApplyService, EcsNames.Instance(change.Project, change.Environment, _desired.Name)) { Undoes = true, Description = $"put the cron schedules of {_desired.Name} back as they were before this version" },
                t => AwsErrors.Guard(() => restoreCrons(t)),
                cancellationToken);

    /// <summary>What ECS said last about the service (its newest event), or the tasks that failed.</summary>
    private static string Why(Service service) =>
        service.Events is [{ Message: { } message }, ..] ? message
        : service.Deployments.FirstOrDefault(d => d.Status == "PRIMARY") is { } d ? $"{d.FailedTasks} task(s) failed, {d.RolloutStateReason ?? d.RolloutState}" : "no deployment";

    /// <summary><c>family:revision</c> of a revision's ARN.</summary>
    private static string Short(string arn) => arn[(arn.LastIndexOf('/') + 1)..];
}
