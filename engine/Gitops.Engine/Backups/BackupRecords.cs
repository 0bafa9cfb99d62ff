using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Backups;

/// <summary>A service's last backup run: when, which backup it made, or why it failed.</summary>
public sealed record BackupRun(string Project, string Environment, string Service, DateTimeOffset At, string? Backup, string? Error);

/// <summary>Each service's last backup run (collection <c>backup_runs</c>): the scheduler's memory and what status shows.</summary>
public sealed class BackupRecords(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _runs = state.Collection("backup_runs");

    public void Ran(string project, string environment, string service, DateTimeOffset at, string? backup, string? error) =>
        _runs.Upsert(new BsonDocument
        {
            ["_id"] = Key(project, environment, service),
            ["project"] = project,
            ["env"] = environment,
            ["service"] = service,
            ["at"] = at.UtcDateTime,
            ["backup"] = backup is null ? BsonValue.Null : backup,
            ["error"] = error is null ? BsonValue.Null : error,
        });

    public BackupRun? Last(string project, string environment, string service) =>
        _runs.FindById(Key(project, environment, service)) is { } d
            ? new BackupRun(project, environment, service, new DateTimeOffset(d["at"].AsDateTime, TimeSpan.Zero), d["backup"].IsNull ? null : d["backup"].AsString, d["error"].IsNull ? null : d["error"].AsString)
            : null;

    private static string Key(string project, string environment, string service) => $"{project}/{environment}/{service}";
}

/// <summary>A restore drill's result: the backup it restored into a scratch container, when, and whether the check matched.</summary>
/// <param name="Detail">What the check said, or why the drill failed.</param>
public sealed record DrillResult(string Backup, string Project, string Environment, string Service, DateTimeOffset At, bool Passed, string Detail);

/// <summary>Restore drills' results (collection <c>backup_drills</c>), by backup id: what <c>paas backup list</c>, status and the dashboard show.</summary>
public sealed class DrillRecords(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _drills = Indexed(state.Collection("backup_drills"));

    public void Record(DrillResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _drills.Upsert(new BsonDocument
        {
            ["_id"] = result.Backup,
            ["project"] = result.Project,
            ["env"] = result.Environment,
            ["service"] = $"{result.Project}/{result.Environment}/{result.Service}",
            ["at"] = result.At.UtcDateTime,
            ["passed"] = result.Passed,
            ["detail"] = result.Detail,
        });
    }

    /// <summary>The drill of that backup, if one ran.</summary>
    public DrillResult? Of(string backup) => _drills.FindById(backup) is { } d ? Read(d) : null;

    /// <summary>The latest drill of any of the service's backups.</summary>
    public DrillResult? Last(string project, string environment, string service) =>
        _drills.Find(Query.EQ("service", $"{project}/{environment}/{service}")).Select(Read).MaxBy(r => r.At);

    private static ILiteCollection<BsonDocument> Indexed(ILiteCollection<BsonDocument> drills)
    {
        drills.EnsureIndex("service", "$.service"); // status reads each service's last drill
        return drills;
    }

    private static DrillResult Read(BsonDocument d)
    {
        var parts = d["service"].AsString.Split('/');
        return new DrillResult(d["_id"].AsString, parts[0], parts[1], parts[2], new DateTimeOffset(d["at"].AsDateTime, TimeSpan.Zero), d["passed"].AsBoolean, d["detail"].AsString);
    }
}
