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
