using Cronos;
using Gitops.Engine.State;

namespace Gitops.Engine.Backups;

/// <summary>
/// A service's backups as status and the dashboard show them, from the platform's own records (no
/// destination is asked): its schedule, when it is next due, how the last run ended, and the last
/// restore drill of any of its backups.
/// </summary>
public sealed record BackupStatus(string Service, string Schedule, int Keep, string To, bool Verify, DateTimeOffset? Next, BackupRun? LastRun, DrillResult? LastDrill)
{
    /// <summary>The backups the environment's running deployment declares, by service name.</summary>
    public static IReadOnlyList<BackupStatus> Of(StateStore state, string project, string environment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var runs = new BackupRecords(state);
        var drills = new DrillRecords(state);
        return state.Recorded(project, environment).Services
            .Where(s => s.Value.Extras.Backup is not null)
            .Select(s =>
            {
                var backup = s.Value.Extras.Backup!;
                var next = CronExpression.Parse(backup.Schedule).GetNextOccurrence(now.UtcDateTime) is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : (DateTimeOffset?)null;
                return new BackupStatus(s.Key, backup.Schedule, backup.Keep, backup.To, backup.Verify, next, runs.Last(project, environment, s.Key), drills.Last(project, environment, s.Key));
            })
            .OrderBy(b => b.Service, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The last run and drill in a line: <c>last 2026-12-02 03:00Z ID · drill passed 03:01Z</c>.</summary>
    public string Describe()
    {
        static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var run = LastRun switch
        {
            null => "no backup yet",
            { Error: { } error } => $"last run FAILED {When(LastRun.At)}: {error}",
            _ => $"last {When(LastRun.At)} {LastRun.Backup}",
        };
        var drill = LastDrill switch
        {
            null => Verify ? "not drilled yet" : "never drilled (paas backup verify BACKUP)",
            { Passed: true } => $"drill passed {When(LastDrill.At)} ({LastDrill.Backup}): {LastDrill.Detail}",
            _ => $"drill FAILED {When(LastDrill.At)} ({LastDrill.Backup}): {LastDrill.Detail}",
        };
        return $"{Schedule} UTC, keep {Keep} at {To}{(Next is { } next ? $", next {When(next)}" : "")} · {run} · {drill}";
    }
}
