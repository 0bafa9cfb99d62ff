using Gitops.Engine.State;

namespace Gitops.Engine.Execution;

/// <summary>
/// Run before planning: finds applies that died mid-way (still "running" in the history) and
/// settles each interrupted step from the journal. A replica whose start was not journaled as
/// healthy is removed (it never passed its health check); an interrupted removal is finished.
/// Then the normal plan converges whatever remains: the journal made sure it is in the inventory.
/// </summary>
public sealed class Recovery(IEngineDriver driver, StateStore state, IProgress<ExecutorEvent> progress)
{
    public async Task<int> RecoverAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var interrupted = state.History(project, environment).Where(d => d.Status == DeploymentStatus.Running).ToList();
        foreach (var deployment in interrupted)
        {
            var entries = state.JournalOf(deployment.Id);
            var open = entries.Where(e => e.Phase == JournalPhase.Started && !entries.Any(f => f.Sequence == e.Sequence && f.Phase != JournalPhase.Started)).ToList();
            foreach (var step in open)
            {
                if (step.Action is "start-replica" or "remove-container")
                {
                    await driver.RemoveContainerAsync(step.Target, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                    state.RemoveFromInventory(project, environment, step.Target);
                }

                state.Journal(step with { Phase = step.Action == "start-replica" ? JournalPhase.Undone : JournalPhase.Done });
                progress.Report(new ExecutorEvent($"recovered {step.Action.Replace('-', ' ')} {step.Target} of {deployment.Id}", true, step.Action == "start-replica" ? "undone" : "finished", TimeSpan.Zero));
            }

            state.SaveDeployment(deployment with { Status = DeploymentStatus.Interrupted, Error = "the apply process stopped mid-way; recovered by the next apply", FinishedAt = DateTimeOffset.UtcNow });
        }

        return interrupted.Count;
    }
}
