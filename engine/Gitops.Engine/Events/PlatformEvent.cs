namespace Gitops.Engine.Events;

/// <summary>
/// Something that happened to an environment that people or machines may want to know: one
/// record for every kind, named as notify rules name them (<c>deploy.succeeded</c>, see
/// <c>Catalogues.NotifyEvents</c>). Metrics, the server's log and, later, notifications read them
/// from one <see cref="IEventSink"/>. Never carries a secret: names, ids, counts and reasons only.
/// </summary>
public sealed record PlatformEvent(string Name, string Project, string Environment, DateTimeOffset At)
{
    public const string DeployStarted = "deploy.started";
    public const string DeploySucceeded = "deploy.succeeded";
    public const string DeployFailed = "deploy.failed";
    public const string DeployRolledBack = "deploy.rolled-back";
    public const string DriftDetected = "drift.detected";
    public const string HealthDegraded = "health.degraded";

    /// <summary>A service the health check after the deploy found degraded has all its replicas passing again.</summary>
    public const string HealthRecovered = "health.recovered";
    public const string TargetError = "target.error";

    /// <summary>The platform's autoscaler changed a service's replica count (<see cref="Detail"/> says from, to and why).</summary>
    public const string ServiceScaled = "service.scaled";

    /// <summary>A cron's run exited 0 (<see cref="Service"/> names the cron, <see cref="Detail"/> the run).</summary>
    public const string CronSucceeded = "cron.succeeded";

    /// <summary>A cron's run failed: a non-zero exit, its timeout, it could not start, or its container vanished.</summary>
    public const string CronFailed = "cron.failed";

    /// <summary>A backup was put whole at its destination (<see cref="Service"/> names the service, <see cref="Detail"/> the backup).</summary>
    public const string BackupSucceeded = "backup.succeeded";

    /// <summary>A backup failed: the dump, the destination, or the service not running.</summary>
    public const string BackupFailed = "backup.failed";

    /// <summary>A scheduled backup's time passed while the platform was not running; it runs at once.</summary>
    public const string BackupMissed = "backup.missed";

    /// <summary>A restore drill proved a backup: restored into a scratch container, its check as when it was made (<see cref="Detail"/>). A failed drill is <see cref="BackupFailed"/>.</summary>
    public const string BackupVerified = "backup.verified";

    public const string RestoreSucceeded = "restore.succeeded";

    public const string RestoreFailed = "restore.failed";

    /// <summary>A commit's plan waits for a person (<c>approval: required</c>); <see cref="Detail"/> sums it up.</summary>
    public const string ApprovalWaiting = "approval.waiting";

    public string? DeploymentId { get; init; }

    /// <summary>The commit (or local revision) deployed.</summary>
    public string? Revision { get; init; }

    /// <summary>The kind of target (docker, podman, …), for per-target figures.</summary>
    public string? TargetKind { get; init; }

    public string? Service { get; init; }

    /// <summary>How long a deploy took.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Why it failed, what drifted, or how degraded.</summary>
    public string? Detail { get; init; }
}

/// <summary>Where events go. Publishing never throws into the deploy that raised the event.</summary>
public interface IEventSink
{
    void Publish(PlatformEvent platformEvent);
}

/// <summary>
/// Several sinks as one. A sink that throws is reported to <see cref="Failed"/> (the server logs
/// it as an error) and the others still get the event: a broken consumer never fails a deploy.
/// </summary>
public sealed class EventSinks(params IEventSink[] sinks) : IEventSink
{
    public static readonly IEventSink None = new EventSinks();

    /// <summary>Told which event a sink could not take, and why.</summary>
    public Action<PlatformEvent, Exception>? Failed { get; init; }

    public void Publish(PlatformEvent platformEvent)
    {
        foreach (var sink in sinks)
        {
            try
            {
                sink.Publish(platformEvent);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Failed?.Invoke(platformEvent, e); // a consumer's problem is its own: the deploy goes on
            }
        }
    }
}
