using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;

namespace Gitops.Providers.Gcp;

/// <summary>
/// Waits while Cloud Run rolls a service out: first its long-running operation (an error there is
/// the failure, with the operation's message), then the service until the newest revision is the
/// ready one and the service's terminal condition succeeded. Cloud Run sends no traffic to a revision
/// that never became ready; when the new one fails (its condition, or the service's) or the target's
/// timeout passes, the platform pins all traffic on the previous ready revision and reports the
/// deployment rolled back with Cloud Run's message; a first revision's service is removed again.
/// </summary>
internal sealed class CloudRunRollout(CloudRunDriver driver, ServiceChange change, IRolloutHost host, string id, string? operation, string? previous) : IRollout
{
    /// <summary>The journal's verb of the wait: no side effect, a progress line with its time.</summary>
    public const string AwaitRollout = "await-cloudrun-rollout";

    private readonly DesiredService _desired = change.Node.Desired!;
    private readonly CloudRunOptions _options = driver.Options;

    public Task<RolloutResult> WaitAsync(CancellationToken cancellationToken) =>
        host.AwaitRolloutAsync(
            new JournaledStep(AwaitRollout, CloudRunNames.Instance(change.Project, change.Environment, _desired.Name))
            {
                Description = $"Cloud Run rolls out {_desired.Name} on a new revision of {id}: traffic moves once it is ready; a failing revision gets none",
            },
            t => CloudRunErrors.Guard(() => WaitCoreAsync(t)),
            cancellationToken);

    private async Task<RolloutResult> WaitCoreAsync(CancellationToken cancellationToken)
    {
        var began = host.Clock.GetTimestamp();
        var deadline = TimeSpan.FromSeconds(_options.RolloutTimeoutSeconds);
        var poll = _options.Poll.Value;
        if (operation is not null)
        {
            while (true)
            {
                var state = await driver.Client.GetOperationAsync(operation, cancellationToken).ConfigureAwait(false);
                if (state.Done)
                {
                    if (state.Error is { } error)
                    {
                        return await UndoAsync($"unhealthy: {error.Message ?? "the operation failed"}", cancellationToken).ConfigureAwait(false);
                    }

                    break;
                }

                if (host.Clock.GetElapsedTime(began) > deadline)
                {
                    return await UndoAsync($"Cloud Run did not finish the rollout in {deadline.TotalSeconds:0} s (operation {operation} still running)", cancellationToken).ConfigureAwait(false);
                }

                host.Progress(AwaitRollout, $"{_desired.Name}: operation running");
                await Task.Delay(poll, host.Clock, cancellationToken).ConfigureAwait(false);
            }
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var service = await driver.Observer.ServiceAsync(change.Project, change.Environment, id, cancellationToken).ConfigureAwait(false)
                ?? throw new TargetConflictException($"Cloud Run service {id} disappeared during its rollout");
            var latest = Short(service.LatestCreatedRevision);
            var failed = await FailureAsync(service, latest, cancellationToken).ConfigureAwait(false);
            if (failed is not null)
            {
                return await UndoAsync($"the new revision {latest} is unhealthy ({failed})", cancellationToken).ConfigureAwait(false);
            }

            if (latest is not null && latest == Short(service.LatestReadyRevision) && service.TerminalCondition?.State == Condition.Succeeded)
            {
                return new RolloutResult(true, $"revision {latest} serves all traffic");
            }

            host.Progress(AwaitRollout, $"{_desired.Name}: revision {latest ?? "(none yet)"} {service.TerminalCondition?.State ?? "pending"}");
            if (host.Clock.GetElapsedTime(began) > deadline)
            {
                return await UndoAsync($"Cloud Run did not make revision {latest} ready in {deadline.TotalSeconds:0} s ({service.TerminalCondition?.Message ?? "no message"})", cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(poll, host.Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cloud Run's word that the new revision failed: the service's terminal condition, or the revision's own failed condition.</summary>
    private async Task<string?> FailureAsync(RunService service, string? latest, CancellationToken cancellationToken)
    {
        if (service.TerminalCondition is { State: Condition.Failed } terminal)
        {
            return terminal.Message ?? terminal.Reason ?? "failed";
        }

        if (latest is null || latest == Short(service.LatestReadyRevision))
        {
            return null;
        }

        var revision = (await driver.Client.ListRevisionsAsync(id, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.ShortName == latest);
        return revision?.Failure is { } condition ? condition.Message ?? condition.Reason ?? "failed" : null;
    }

    /// <summary>Gives up: a first revision's service is removed again; a later one's traffic is pinned on the previous ready revision.</summary>
    private async Task<RolloutResult> UndoAsync(string why, CancellationToken cancellationToken)
    {
        var instance = CloudRunNames.Instance(change.Project, change.Environment, _desired.Name);
        if (previous is null)
        {
            await host.StepAsync(new JournaledStep(CloudRunDriver.DeleteService, instance, InventoryChange.Removes) { Undoes = true, Description = $"delete Cloud Run service {id}: its first revision never became ready" },
                t => driver.DeleteServiceObjectsAsync(change.Project, change.Environment, _desired.Name, t), cancellationToken).ConfigureAwait(false);
            return RolloutResult.Failed($"service {_desired.Name}: {why}; removed again");
        }

        await host.StepAsync(new JournaledStep(CloudRunDriver.ApplyService, instance) { Undoes = true, Description = $"put all traffic of Cloud Run service {id} back on revision {previous}" },
            t => driver.PinTrafficAsync(change.Project, change.Environment, id, previous, t), cancellationToken).ConfigureAwait(false);
        return RolloutResult.Failed($"service {_desired.Name}: {why}; all traffic is back on its previous revision {previous}");
    }

    private static string? Short(string? revision) => revision is null ? null : revision[(revision.LastIndexOf('/') + 1)..];
}
