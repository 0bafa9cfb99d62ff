namespace Gitops.Engine.Targets;

/// <summary>A service's change under way on its target.</summary>
public interface IRollout
{
    /// <summary>Waits until the new version serves, or the target gives up (the old version keeps serving).</summary>
    Task<RolloutResult> WaitAsync(CancellationToken cancellationToken);
}

/// <param name="Detail">Why it failed, for the deployment's error and the user; "done" on success.</param>
public sealed record RolloutResult(bool Succeeded, string Detail)
{
    public static readonly RolloutResult Done = new(true, "done");

    public static RolloutResult Failed(string detail) => new(false, detail);
}

/// <summary>A rollout that was over when <see cref="ITargetDriver.ApplyServiceAsync"/> returned (the platform's own strategy waits as it goes).</summary>
public sealed class CompletedRollout(RolloutResult result) : IRollout
{
    public Task<RolloutResult> WaitAsync(CancellationToken cancellationToken) => Task.FromResult(result);
}
