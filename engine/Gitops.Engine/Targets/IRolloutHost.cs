namespace Gitops.Engine.Targets;

/// <summary>How a journaled step changes the environment's inventory (the names the platform may remove).</summary>
public enum InventoryChange
{
    None,

    /// <summary>The name enters the inventory before the object can exist.</summary>
    Adds,

    /// <summary>The name leaves the inventory once the object is gone.</summary>
    Removes,
}

/// <summary>One side effect a target performs during a rollout, as the journal records it.</summary>
/// <param name="Action">The journal's verb, e.g. <c>start-replica</c>; <see cref="ITargetDriver.RecoverStepAsync"/> reads it back.</param>
/// <param name="Target">The object's name.</param>
public sealed record JournaledStep(string Action, string Target, InventoryChange Inventory = InventoryChange.None)
{
    /// <summary>The step undoes earlier work (a rollback): journaled as undone rather than done.</summary>
    public bool Undoes { get; init; }

    /// <summary>The line progress output shows; by default the action and the target.</summary>
    public string? Description { get; init; }
}

/// <summary>How a step ended: completed ones are journaled as done; the others stay open for the rollback.</summary>
public sealed record StepResult(bool Completed, string Detail)
{
    public static readonly StepResult Done = new(true, "done");
}

/// <summary>
/// What the executor offers a target while it changes a service: every side effect as a journaled
/// step (crash-safe and shown as progress), and the platform's ingress.
/// </summary>
public interface IRolloutHost
{
    /// <summary>The apply's clock, for timings a rollout reports.</summary>
    TimeProvider Clock { get; }

    /// <summary>Journals the step as started, runs <paramref name="effect"/>, then journals it as done when it completed.</summary>
    Task<StepResult> StepAsync(JournaledStep step, Func<CancellationToken, Task<StepResult>> effect, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the service's traffic to its ready instances of the new version (and those that stay),
    /// in one atomic change of its route, then waits for requests to <paramref name="leaving"/> to finish.
    /// Nothing happens when the plan did not route the service through the platform's ingress.
    /// </summary>
    Task SwitchTrafficAsync(ServiceChange change, IReadOnlyCollection<string> leaving, CancellationToken cancellationToken);

    /// <summary>A progress line while a step waits (a rollout the target performs): shown, not journaled.</summary>
    void Progress(string step, string detail);
}

public static class RolloutHostExtensions
{
    /// <summary>A step whose effect either completes or throws.</summary>
    public static async Task StepAsync(this IRolloutHost host, JournaledStep step, Func<CancellationToken, Task> effect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(effect);
        await host.StepAsync(step, async t =>
        {
            await effect(t).ConfigureAwait(false);
            return step.Undoes ? new StepResult(true, "rolled back") : StepResult.Done;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A wait on a rollout the target performs, as one journaled step whose result is the rollout's.</summary>
    public static async Task<RolloutResult> WaitStepAsync(this IRolloutHost host, JournaledStep step, Func<CancellationToken, Task<RolloutResult>> wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(wait);
        var result = RolloutResult.Done;
        await host.StepAsync(step, async t =>
        {
            result = await wait(t).ConfigureAwait(false);
            return new StepResult(result.Succeeded, result.Detail);
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }
}
