namespace Gitops.Engine.State;

public enum DeploymentStatus
{
    Running,
    Succeeded,
    Failed,
    RolledBack,

    /// <summary>The process died mid-apply; the next apply recovered from its journal.</summary>
    Interrupted,
}

/// <summary>One step of a deployment as it ran: what, how it ended, how long it took.</summary>
public sealed record DeploymentStep(string Description, string Result, long DurationMs)
{
    /// <summary>When it began, in milliseconds after the apply began: with <see cref="DurationMs"/>, the deployment's timeline.</summary>
    public long StartedMs { get; init; }
}

/// <summary>A deployment in the history: which revision, what plan, who or what started it, how it went.</summary>
public sealed record Deployment
{
    public required string Id { get; init; }

    public required string Project { get; init; }

    public required string Environment { get; init; }

    public required string Revision { get; init; }

    public required string Trigger { get; init; }

    public required string PlanText { get; init; }

    /// <summary>The Git tree the commit deployed (content address of what was built), when it came from Git.</summary>
    public string? Tree { get; init; }

    /// <summary>The commit's message, author and time, when it came from Git (null in records made before they were kept).</summary>
    public Sources.CommitInfo? Commit { get; init; }

    /// <summary>Each built service's image id (digest) on the engine.</summary>
    public IReadOnlyDictionary<string, string> Images { get; init; } = new Dictionary<string, string>();

    public DeploymentStatus Status { get; init; } = DeploymentStatus.Running;

    public string? Error { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public IReadOnlyList<DeploymentStep> Steps { get; init; } = [];

    /// <summary>What this deployment applied, kept so <c>paas rollback</c> can apply exactly that again.</summary>
    public Gitops.Engine.Desired.DesiredState? Desired { get; init; }

    /// <summary>The autoscaler's change of replica counts: the same version at another scale, not a version of its own.</summary>
    public bool Autoscaled { get; init; }

    /// <summary>A restart by hand (<c>paas restart</c>): the same version's replicas replaced by fresh ones.</summary>
    public bool Restart { get; init; }

    /// <summary>Not a version of its own (a scale, a restart): rollbacks and the loop's failed-commit check look past it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool SameVersion => Autoscaled || Restart;
}
