using Microsoft.Extensions.Logging;

namespace Gitops.Server;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Host firewall {What}: {Count} change(s): {Changes}")]
    public static partial void FirewallApplied(ILogger logger, string what, int count, string changes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Host firewall could not be applied: {Reason}")]
    public static partial void FirewallFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled {Project}/{Environment} at {Commit}: {Outcome} ({Detail})")]
    public static partial void Reconciled(ILogger logger, string project, string environment, string? commit, Gitops.Engine.Reconcile.ReconcileOutcome outcome, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {Event} {Project}/{Environment} service {Service} deployment {Deployment}: {Detail}")]
    public static partial void Event(ILogger logger, string @event, string project, string environment, string service, string deployment, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Event} of {Project}/{Environment} could not be recorded (audit, metrics or log)")]
    public static partial void EventNotTaken(ILogger logger, string @event, string project, string environment, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling {Project} failed")]
    public static partial void ReconcileFailed(ILogger logger, string project, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step}: {Detail} in {Milliseconds} ms")]
    public static partial void Step(ILogger logger, string step, string detail, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Build {Line}")]
    public static partial void Build(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for {Project} refused: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string project, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook for {Project} accepted: reconcile enqueued")]
    public static partial void WebhookAccepted(ILogger logger, string project);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting for the reconcile of {Project} in flight to finish")]
    public static partial void StoppingAfterReconcile(ILogger logger, string project);

    [LoggerMessage(Level = LogLevel.Information, Message = "Autoscaling {Project}/{Environment}: {Changes}")]
    public static partial void Scaling(ILogger logger, string project, string environment, IReadOnlyList<Gitops.Engine.Scaling.ScaleDecision> changes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Autoscaled {Project}/{Environment} in deployment {Deployment}: {Status} {Error}")]
    public static partial void Scaled(ILogger logger, string project, string environment, string deployment, Gitops.Engine.State.DeploymentStatus status, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Autoscaler pass failed; the next one measures again")]
    public static partial void AutoscaleFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check: replacing {Project}/{Environment} {Service} replica {Replica}: {Why}")]
    public static partial void ReplacingReplica(ILogger logger, string project, string environment, string service, int replica, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check: replaced {Project}/{Environment} {Service} replica {Replica} in deployment {Deployment}: {Status}")]
    public static partial void ReplacedReplica(ILogger logger, string project, string environment, string service, int replica, string deployment, Gitops.Engine.State.DeploymentStatus status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Health check pass failed; the next one checks again")]
    public static partial void HealthCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Log compaction: dropped {DeployLines} deployment log lines and {CronOutputs} cron runs' outputs past their retention")]
    public static partial void Compacted(ILogger logger, int deployLines, int cronOutputs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Log compaction failed; it runs again in an hour")]
    public static partial void CompactionFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron {Project}/{Environment}/{Cron}: run {Run} {Outcome} ({Trigger})")]
    public static partial void CronStarted(ILogger logger, string project, string environment, string cron, string run, Gitops.Engine.Crons.CronOutcome outcome, Gitops.Engine.Crons.CronTrigger trigger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cron pass failed; the next one tries again")]
    public static partial void CronPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup of {Project}/{Environment}/{Service}: {Backup} {Error} (missed: {Missed}; drill: {Drill})")]
    public static partial void BackupRan(ILogger logger, string project, string environment, string service, string backup, string error, bool missed, string drill);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup pass failed; the next one tries again")]
    public static partial void BackupPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification pass failed; the next one tries again")]
    public static partial void NotifyPassFailed(ILogger logger, Exception exception);
}
