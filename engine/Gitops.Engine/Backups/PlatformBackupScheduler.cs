using Cronos;
using Gitops.Engine.Events;
using Gitops.Engine.State;

namespace Gitops.Engine.Backups;

/// <summary>
/// The server's scheduled copy of the platform's own state (platform.yaml's <c>platformBackup:</c>):
/// when its schedule (UTC) is due, <see cref="PlatformBackup"/> seals a snapshot of the state at the
/// destination, then the oldest beyond <c>keep</c> go. It ends in <c>backup.succeeded</c> or
/// <c>backup.failed</c> for project <c>@platform</c>; a time found more than
/// <see cref="BackupScheduler.Grace"/> late is <c>backup.missed</c>, and runs at once.
/// </summary>
public sealed class PlatformBackupScheduler(StateStore state, BackupDestinations destinations, PlatformBackupConfig? config, Execution.ExecutionHooks hooks)
{
    private const string Project = "@platform";
    private const string Environment = "-";
    private const string Service = "state";

    private readonly BackupRecords _records = new(state);

    /// <summary>One look: the backup made (or why not) when one was due, else null.</summary>
    public async Task<ScheduledBackup?> TickAsync(CancellationToken cancellationToken)
    {
        if (config is null)
        {
            return null;
        }

        var now = hooks.Clock.GetUtcNow();
        var since = _records.Last(Project, Environment, Service)?.At ?? StartedAt(now);
        if (CronExpression.Parse(config.Schedule).GetNextOccurrence(since.UtcDateTime, inclusive: false) is not { } next || next > now.UtcDateTime)
        {
            return null;
        }

        var missed = now.UtcDateTime - next > BackupScheduler.Grace;
        if (missed)
        {
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupMissed, Project, Environment, now) { Service = Service, Detail = $"due {next:yyyy-MM-dd HH:mm}Z, not run then (the platform was not running); running now" });
        }

        try
        {
            using var destination = destinations.Open(config.To);
            var manifest = await PlatformBackup.BackUpAsync(state, destination, now, null, cancellationToken).ConfigureAwait(false);
            await PruneAsync(destination, cancellationToken).ConfigureAwait(false);
            _records.Ran(Project, Environment, Service, now, manifest.Id, null);
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupSucceeded, Project, Environment, hooks.Clock.GetUtcNow()) { Service = Service, Detail = $"{manifest.Id} ({Backups.Size(manifest.Bytes)}) to {config.To}; the master key is not in it" });
            return new ScheduledBackup(Project, Environment, Service, next, manifest.Id, null, missed);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or KeyNotFoundException or TimeoutException or LiteDB.LiteException && !cancellationToken.IsCancellationRequested)
        {
            _records.Ran(Project, Environment, Service, now, null, e.Message);
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupFailed, Project, Environment, hooks.Clock.GetUtcNow()) { Service = Service, Detail = e.Message });
            return new ScheduledBackup(Project, Environment, Service, next, null, e.Message, missed);
        }
    }

    /// <summary>The first look of a server counts from now: a platform backed up by hand before has no record to count from.</summary>
    private DateTimeOffset StartedAt(DateTimeOffset now)
    {
        _records.Ran(Project, Environment, Service, now, null, null);
        return now;
    }

    /// <summary>Keeps the newest <c>keep</c> platform backups at the destination, after a new one was put whole.</summary>
    private async Task PruneAsync(IBackupDestination destination, CancellationToken cancellationToken)
    {
        var ids = (await destination.ListAsync(PlatformBackup.IdPrefix, cancellationToken).ConfigureAwait(false))
            .Where(n => n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n[..^".json".Length])
            .Where(id => id.StartsWith(PlatformBackup.IdPrefix, StringComparison.Ordinal))
            .OrderByDescending(id => id, StringComparer.Ordinal)
            .ToList();
        foreach (var old in ids.Skip(config!.Keep))
        {
            await destination.DeleteAsync($"{old}.json", cancellationToken).ConfigureAwait(false);
            await destination.DeleteAsync($"{old}.paasbk", cancellationToken).ConfigureAwait(false);
        }
    }
}
