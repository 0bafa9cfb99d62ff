using System.Globalization;
using Gitops.Engine.Events;

namespace Gitops.Engine.Notifications;

/// <summary>What a message says: project and environment, what happened, the commit, why, and a link.</summary>
public static class NotificationText
{
    public static string Title(PlatformEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var what = e.Name switch
        {
            PlatformEvent.DeployStarted => "deploy started",
            PlatformEvent.DeploySucceeded => "deployed",
            PlatformEvent.DeployFailed => "deploy failed",
            PlatformEvent.DeployRolledBack => "deploy rolled back",
            PlatformEvent.DriftDetected => "changed outside the platform (drift), put back",
            PlatformEvent.HealthDegraded => $"{e.Service ?? "a service"} degraded",
            PlatformEvent.HealthRecovered => $"{e.Service ?? "a service"} recovered",
            PlatformEvent.ServiceScaled => $"{e.Service} scaled",
            PlatformEvent.CronSucceeded => $"cron {e.Service} succeeded",
            PlatformEvent.CronFailed => $"cron {e.Service} failed",
            PlatformEvent.ApprovalWaiting => "a plan waits for approval",
            PlatformEvent.BackupSucceeded => $"backup of {e.Service} succeeded",
            PlatformEvent.BackupFailed => $"backup of {e.Service} FAILED",
            PlatformEvent.BackupMissed => $"backup of {e.Service} MISSED",
            PlatformEvent.BackupVerified => $"backup of {e.Service} restored in a drill",
            PlatformEvent.RestoreSucceeded => $"{e.Service} restored",
            PlatformEvent.RestoreFailed => $"restore of {e.Service} FAILED",
            _ => e.Name,
        };
        return $"{e.Project}/{e.Environment}: {what}";
    }

    public static string Body(PlatformEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var lines = new List<string>();
        if (e.Revision is { Length: > 0 } revision)
        {
            lines.Add($"commit {revision[..Math.Min(12, revision.Length)]}");
        }

        if (e.DeploymentId is { } deployment)
        {
            lines.Add(e.Duration is { } took ? $"deployment {deployment} ({took.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s)" : $"deployment {deployment}");
        }

        if (e.Detail is { Length: > 0 } detail)
        {
            lines.Add(detail.Length > 1000 ? detail[..1000] + "…" : detail);
        }

        return string.Join("\n", lines);
    }

    /// <summary>The deployment's page in the dashboard (else the dashboard), when the platform knows its address.</summary>
    public static string? Link(string? dashboard, PlatformEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (dashboard is null)
        {
            return null;
        }

        var root = dashboard.TrimEnd('/');
        return e.DeploymentId is { } id ? $"{root}/#/deployments/{Uri.EscapeDataString(id)}" : $"{root}/#/";
    }
}
