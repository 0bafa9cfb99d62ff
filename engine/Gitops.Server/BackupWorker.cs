using Gitops.Engine.Backups;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>Runs the scheduled backups (<see cref="BackupScheduler"/>), looking every 30 s.</summary>
public sealed class BackupWorker(BackupScheduler scheduler, ILogger<BackupWorker> logger) : PeriodicWorker
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    protected override async Task PassAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await scheduler.TickAsync(cancellationToken).ConfigureAwait(false))
        {
            Log.BackupRan(logger, run.Project, run.Environment, run.Service, run.Backup ?? "none", run.Error ?? "", run.Missed);
        }
    }

    protected override void Failed(Exception exception) => Log.BackupPassFailed(logger, exception);
}
