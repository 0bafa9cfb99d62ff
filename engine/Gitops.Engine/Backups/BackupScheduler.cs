using Cronos;
using Gitops.Engine.Events;
using Gitops.Engine.State;

namespace Gitops.Engine.Backups;

/// <summary>A scheduled backup the scheduler started (or found missed), for the server's log.</summary>
/// <param name="Drill">The restore drill that followed (<c>backup.verify</c>), or null.</param>
public sealed record ScheduledBackup(string Project, string Environment, string Service, DateTimeOffset Due, string? Backup, string? Error, bool Missed, DrillResult? Drill = null);

/// <summary>
/// Runs each template service's <c>backup.schedule</c> (UTC), from what the environment's last
/// deployment applied. A due time found more than <see cref="Grace"/> late (the server was down)
/// is reported as <c>backup.missed</c> and the backup runs at once; a failure is
/// <c>backup.failed</c> (by <see cref="Backups"/>), and the next due time is tried as usual. A
/// service with <c>backup.verify</c> has each new backup drilled (<see cref="RestoreDrills"/>) at once.
/// </summary>
public sealed class BackupScheduler(StateStore state, Backups backups, RestoreDrills drills, Execution.ExecutionHooks hooks)
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    private readonly BackupRecords _records = new(state);

    public async Task<IReadOnlyList<ScheduledBackup>> TickAsync(CancellationToken cancellationToken)
    {
        var now = hooks.Clock.GetUtcNow();
        var ran = new List<ScheduledBackup>();
        foreach (var (project, environment) in state.Environments())
        {
            if (state.LastSucceeded(project, environment) is not { Desired: { } desired } deployment || desired.Revision == "destroy")
            {
                continue;
            }

            foreach (var service in desired.Services.Where(s => s.Extras.Backup is not null))
            {
                var since = _records.Last(project, environment, service.Name)?.At ?? deployment.StartedAt;
                if (CronExpression.Parse(service.Extras.Backup!.Schedule).GetNextOccurrence(since.UtcDateTime, inclusive: false) is not { } next || next > now.UtcDateTime)
                {
                    continue;
                }

                var missed = now.UtcDateTime - next > Grace;
                if (missed)
                {
                    hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupMissed, project, environment, now) { Service = service.Name, Detail = $"due {next:yyyy-MM-dd HH:mm}Z, not run then (the platform was not running); running now" });
                }

                try
                {
                    var manifest = await backups.RunAsync(project, environment, service.Name, null, cancellationToken).ConfigureAwait(false);
                    var drill = service.Extras.Backup.Verify ? await drills.VerifyAsync(manifest.Id, cancellationToken).ConfigureAwait(false) : null;
                    ran.Add(new ScheduledBackup(project, environment, service.Name, next, manifest.Id, null, missed, drill));
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or KeyNotFoundException or TimeoutException)
                {
                    ran.Add(new ScheduledBackup(project, environment, service.Name, next, null, e.Message, missed)); // recorded and published by Backups
                }
            }
        }

        return ran;
    }
}
