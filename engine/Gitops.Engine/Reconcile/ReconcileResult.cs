using Gitops.Engine.State;

namespace Gitops.Engine.Reconcile;

public enum ReconcileOutcome
{
    /// <summary>The environment already matched its branch.</summary>
    InSync,
    Applied,
    RolledBack,
    Failed,

    /// <summary>This commit failed before; it is not retried until the branch moves (DESIGN §3 rule 10).</summary>
    SkippedFailedRevision,

    /// <summary>The manifest at the branch tip is invalid: a configuration error, not retried.</summary>
    InvalidManifest,

    /// <summary>The fetch failed; what runs keeps running.</summary>
    SourceUnavailable,

    /// <summary>The environment has <c>approval: required</c>: the plan waits for a person (nothing applied).</summary>
    AwaitingApproval,

    /// <summary>A person suspended the environment (<c>paas env suspend</c>): the loop leaves it as it is.</summary>
    Suspended,

    /// <summary><c>paas rollback</c> holds the environment on an earlier deployment until its branch moves.</summary>
    Pinned,

    /// <summary>A pull request's preview environment was removed (closed, expired, over previews.max, or previews turned off).</summary>
    Removed,

    /// <summary>A pull request is not deployed as a preview (from a fork, without previews.forks).</summary>
    Refused,
}

/// <summary>
/// What one reconcile of one environment did, at which commit, and why. <paramref name="First"/> is
/// false when the same outcome of the same commit was reported before (a broken manifest seen again
/// at the next poll), so the audit records it once.
/// </summary>
public sealed record ReconcileResult(string Project, string Environment, string? Commit, ReconcileOutcome Outcome, string Detail, Deployment? Deployment = null, bool First = true);
