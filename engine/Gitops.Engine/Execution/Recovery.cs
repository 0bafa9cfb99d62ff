using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Execution;

/// <summary>
/// Run before planning: finds applies that died mid-way (still "running" in the history) and
/// settles each interrupted step from the journal through the target that journaled it (the
/// container family removes a replica whose start was not journaled as healthy, and finishes an
/// interrupted removal). Then the normal plan converges whatever remains: the journal made sure it
/// is in the inventory.
/// </summary>
public sealed class Recovery(ITargetDriver driver, StateStore state, IProgress<ExecutorEvent> progress, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<int> RecoverAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var interrupted = state.History(project, environment).Where(d => d.Status == DeploymentStatus.Running).ToList();
        foreach (var deployment in interrupted)
        {
            var entries = state.JournalOf(deployment.Id);
            var open = entries.Where(e => e.Phase == JournalPhase.Started && !entries.Any(f => f.Sequence == e.Sequence && f.Phase != JournalPhase.Started)).ToList();
            foreach (var step in open)
            {
                var recovered = await driver.RecoverStepAsync(step, cancellationToken).ConfigureAwait(false);
                if (recovered != StepRecovery.Untouched)
                {
                    state.RemoveFromInventory(project, environment, step.Target); // the object is gone
                }

                state.Journal(step with { Phase = recovered == StepRecovery.Undone ? JournalPhase.Undone : JournalPhase.Done });
                progress.Report(new ExecutorEvent($"recovered {step.Action.Replace('-', ' ')} {step.Target} of {deployment.Id}", true, recovered == StepRecovery.Undone ? "undone" : "finished", TimeSpan.Zero));
            }

            state.SaveDeployment(deployment with { Status = DeploymentStatus.Interrupted, Error = "the apply process stopped mid-way; recovered by the next apply", FinishedAt = _clock.GetUtcNow() });
        }

        return interrupted.Count;
    }
}
