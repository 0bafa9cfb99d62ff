namespace Gitops.Schema.Model;

/// <summary>Names the manifest may refer to that are fixed by the platform rather than the repository.</summary>
public static class Catalogues
{
    /// <summary>Events a notify rule can subscribe to.</summary>
    public static readonly IReadOnlyList<string> NotifyEvents =
    [
        "deploy.started", "deploy.succeeded", "deploy.failed", "deploy.rolled-back",
        "promote.opened", "promote.merged",
        "backup.succeeded", "backup.failed", "backup.missed", "backup.verified", "restore.succeeded", "restore.failed",
        "cron.succeeded", "cron.failed",
        "health.degraded", "health.recovered",
        "service.scaled", "drift.detected", "approval.waiting",
    ];
}
