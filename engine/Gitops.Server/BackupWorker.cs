using Gitops.Engine.Backups;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>Runs the scheduled backups of services (<see cref="BackupScheduler"/>) and of the platform's state (<see cref="PlatformBackupScheduler"/>), looking every 30 s.</summary>
public sealed class BackupWorker(BackupScheduler scheduler, PlatformBackupScheduler platform, ILogger<BackupWorker> logger) : PeriodicWorker
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    protected override async Task PassAsync(CancellationToken cancellationToken)
    {
        // The platform's state first: a long service backup never delays it.
        if (await platform.TickAsync(cancellationToken).ConfigureAwait(false) is { } state)
        {
            Log.BackupRan(logger, state.Project, state.Environment, state.Service, state.Backup ?? "none", state.Error ?? "", state.Missed, "none");
        }

        foreach (var run in await scheduler.TickAsync(cancellationToken).ConfigureAwait(false))
        {
            var drill = run.Drill is { } d ? $"{(d.Passed ? "passed" : "FAILED")}: {d.Detail}" : "none";
            Log.BackupRan(logger, run.Project, run.Environment, run.Service, run.Backup ?? "none", run.Error ?? "", run.Missed, drill);
        }
    }

    protected override void Failed(Exception exception) => Log.BackupPassFailed(logger, exception);
}
