namespace Gitops.Engine.Crons;

/// <summary>What started a run.</summary>
public enum CronTrigger
{
    /// <summary>Its schedule came due.</summary>
    Schedule,

    /// <summary>Someone ran it (<c>paas cron run</c>).</summary>
    Manual,
}

/// <summary>How a run ended, or that it has not.</summary>
public enum CronOutcome
{
    Running,

    /// <summary>Exited 0.</summary>
    Succeeded,

    /// <summary>Exited with another code, or could not start.</summary>
    Failed,

    /// <summary>Killed after the cron's <c>timeout</c>.</summary>
    TimedOut,

    /// <summary>Killed for a newer run (<c>concurrency: replace</c>).</summary>
    Replaced,

    /// <summary>Not started: the previous run still ran (<c>concurrency: forbid</c>).</summary>
    Skipped,

    /// <summary>Its container was gone when the platform looked again (removed by hand, or the environment destroyed).</summary>
    Lost,
}

/// <summary>
/// One run of a cron: when and why it started, how it ended. Its output is kept beside it
/// (<see cref="CronRuns.Log"/>); values of secrets are never part of it.
/// </summary>
public sealed record CronRun
{
    public required string Id { get; init; }

    public required string Project { get; init; }

    public required string Environment { get; init; }

    public required string Cron { get; init; }

    /// <summary>The service whose image, env and secrets it ran with.</summary>
    public required string Service { get; init; }

    public CronTrigger Trigger { get; init; }

    /// <summary>Who ran it by hand; null for a scheduled run.</summary>
    public string? By { get; init; }

    /// <summary>The schedule's time this run is for (a scheduled run).</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public int? ExitCode { get; init; }

    public CronOutcome Outcome { get; init; } = CronOutcome.Running;

    /// <summary>Why it ended so (timed out after 5s, replaced by run …, could not start: …).</summary>
    public string? Detail { get; init; }

    /// <summary>The one-off container on the target.</summary>
    public string Container { get; init; } = "";

    /// <summary>The deployment whose image and configuration it ran.</summary>
    public string? DeploymentId { get; init; }

    /// <summary>How long the cron may run (its <c>timeout</c> when it started).</summary>
    public TimeSpan Timeout { get; init; }

    public TimeSpan? Duration => EndedAt - StartedAt;
}
