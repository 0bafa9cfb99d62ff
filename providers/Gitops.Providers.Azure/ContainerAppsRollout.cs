using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure.Api;

namespace Gitops.Providers.Azure;

/// <summary>
/// Waits while Container Apps rolls an app out: first ARM's async operation (Failed or Canceled is the
/// failure, with its message), then the app until its latest revision is the latest ready one,
/// provisioning succeeded and that revision runs. In Single mode the previous revision keeps serving
/// until the new one is ready; when the new one fails (its provisioning, its health, the operation) or
/// the target's timeout passes, the platform puts the previous template back (a PUT of the app as it
/// was, whose revision suffix names the revision that served) and reports the deployment rolled back
/// with Container Apps' reason, the service's cron jobs put back as they were too (they run the
/// service's image); a first revision's app is removed again, with its cron jobs.
/// </summary>
internal sealed class ContainerAppsRollout(ContainerAppsDriver driver, ServiceChange change, IRolloutHost host, string name, string? operation, ContainerApp? previous, IReadOnlyList<ContainerAppJob> previousJobs) : IRollout
{
    /// <summary>The journal's verb of the wait: no side effect, a progress line with its time.</summary>
    public const string AwaitRollout = "await-containerapp-rollout";

    private readonly DesiredService _desired = change.Node.Desired!;
    private readonly ContainerAppsOptions _options = driver.Options;

    public Task<RolloutResult> WaitAsync(CancellationToken cancellationToken) =>
        host.AwaitRolloutAsync(
            new JournaledStep(AwaitRollout, ContainerAppsNames.Instance(change.Project, change.Environment, _desired.Name))
            {
                Description = $"Container Apps rolls out {_desired.Name} on a new revision of {name}: traffic moves once it is ready; a failing revision gets none",
            },
            t => ContainerAppsErrors.Guard(() => WaitCoreAsync(t)),
            cancellationToken);

    private async Task<RolloutResult> WaitCoreAsync(CancellationToken cancellationToken)
    {
        var began = host.Clock.GetTimestamp();
        var deadline = TimeSpan.FromSeconds(_options.RolloutTimeoutSeconds);
        var poll = _options.Poll.Value;
        while (operation is not null)
        {
            var state = await driver.Client.GetOperationAsync(operation, cancellationToken).ConfigureAwait(false);
            if (state.Done)
            {
                if (state.Status != "Succeeded")
                {
                    return await UndoAsync($"unhealthy: the operation {state.Status?.ToLowerInvariant()}: {state.Error?.Message ?? "no message"}", cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            if (host.Clock.GetElapsedTime(began) > deadline)
            {
                return await UndoAsync($"Container Apps did not finish the rollout in {deadline.TotalSeconds:0} s (its operation is still in progress)", cancellationToken).ConfigureAwait(false);
            }

            host.Progress(AwaitRollout, $"{_desired.Name}: operation in progress");
            await Task.Delay(poll, host.Clock, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var app = (await driver.Observer.AppAsync(change.Project, change.Environment, name, cancellationToken).ConfigureAwait(false))?.App
                ?? throw new TargetConflictException($"container app {name} disappeared during its rollout");
            var latest = app.Properties.LatestRevisionName;
            var revision = latest is null ? null : (await driver.Client.ListRevisionsAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Name == latest);
            if (app.Properties.ProvisioningState == "Failed" || revision?.Properties.Failed == true)
            {
                var why = revision?.Properties.ProvisioningError ?? $"health {revision?.Properties.HealthState ?? "unknown"}, {revision?.Properties.RunningState ?? "not running"}";
                return await UndoAsync($"the new revision {latest} is unhealthy ({why})", cancellationToken).ConfigureAwait(false);
            }

            if (app.Properties.ProvisioningState == "Succeeded" && latest is not null && latest == app.Properties.LatestReadyRevisionName && revision?.Properties.Serving == true)
            {
                return new RolloutResult(true, $"revision {latest} serves all traffic");
            }

            host.Progress(AwaitRollout, $"{_desired.Name}: revision {latest ?? "(none yet)"} {revision?.Properties.ProvisioningState ?? app.Properties.ProvisioningState ?? "pending"}");
            if (host.Clock.GetElapsedTime(began) > deadline)
            {
                return await UndoAsync($"Container Apps did not finish the rollout in {deadline.TotalSeconds:0} s (revision {latest ?? "(none)"} is {revision?.Properties.RunningState ?? "not running"})", cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(poll, host.Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives up: a first revision's app is removed again; a later one's previous template is put back.</summary>
    private async Task<RolloutResult> UndoAsync(string why, CancellationToken cancellationToken)
    {
        var instance = ContainerAppsNames.Instance(change.Project, change.Environment, _desired.Name);
        if (previous is null)
        {
            await host.StepAsync(new JournaledStep(ContainerAppsDriver.DeleteService, instance, InventoryChange.Removes) { Undoes = true, Description = $"delete container app {name}: its first revision never became ready" },
                t => driver.DeleteAppAsync(change.Project, change.Environment, _desired.Name, t), cancellationToken).ConfigureAwait(false);
            return RolloutResult.Failed($"service {_desired.Name}: {why}; removed again");
        }

        var back = previous.Properties.Template?.RevisionSuffix is { } suffix ? $"{name}--{suffix}" : "its previous revision";
        var jobs = previousJobs.Count == 0 ? "" : $" and its crons' container apps jobs as they were ({string.Join(", ", previousJobs.Select(j => j.Tags![Labels.Cron]))})";
        await host.StepAsync(new JournaledStep(ContainerAppsDriver.ApplyService, instance) { Undoes = true, Description = $"put the previous template of container app {name} back ({back}){jobs}" },
            async t =>
            {
                if (await driver.PutAsync(change.Project, change.Environment, name, previous, create: false, t).ConfigureAwait(false) is { } undo)
                {
                    await driver.WaitAsync(undo, t).ConfigureAwait(false);
                }

                await driver.RestoreJobsAsync(change.Project, change.Environment, _desired, previousJobs, t).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return RolloutResult.Failed($"service {_desired.Name}: {why}; its previous template is back ({back})");
    }
}
