using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Reconcile;

/// <summary>A cron as the environment's running deployment declares it, when it is next due, and its latest runs (newest first).</summary>
public sealed record CronInfo(string Name, string Service, string Schedule)
{
    /// <summary>The IANA time zone of the schedule; null: UTC.</summary>
    public string? TimeZone { get; init; }

    public DateTimeOffset? Next { get; init; }

    /// <summary>The platform's runs (a Kubernetes target runs its CronJobs itself and keeps their history).</summary>
    public IReadOnlyList<Crons.CronRun> Runs { get; init; } = [];
}

/// <summary>What the loop last did for an environment, on which target, from which branch.</summary>
public sealed record SyncRecord(ReconcileOutcome Outcome, string Detail, string? Commit, string Target, DateTimeOffset At, string? Branch = null);

/// <summary>
/// A rollback holds the environment on an earlier deployment until its branch moves past
/// <paramref name="Commit"/> (the commit it ran when the rollback happened).
/// </summary>
public sealed record Pin(string Deployment, string? Commit, DateTimeOffset At);

/// <summary>
/// The last time the loop found an environment changed behind the platform's back (then put it
/// back): when, at which revision, and what it found, one change per resource.
/// </summary>
public sealed record DriftRecord(DateTimeOffset At, string? Revision, IReadOnlyList<DriftChange> Changes);

/// <summary>One resource found changed: its kind (<c>service</c>, <c>route</c>, <c>network</c>, <c>volume</c>), its name (a service's for services and routes) and why.</summary>
public sealed record DriftChange(string Kind, string Name, string Cause);

/// <summary>
/// Per environment, what the loop knows beyond the applied state: the last reconcile's result
/// (the sync state <c>paas status</c> shows) and whether a person suspended it.
/// </summary>
public sealed class EnvironmentRecords(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _records = state.Collection("environment_records");

    public void Synced(string project, string environment, SyncRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var document = Document(project, environment);
        document["sync"] = StateJson.Write(record);
        _records.Upsert(document);
    }

    public SyncRecord? LastSync(string project, string environment) =>
        _records.FindById(Key(project, environment)) is { } d && d.TryGetValue("sync", out var sync) ? StateJson.Read<SyncRecord>(sync.AsString) : null;

    /// <returns>False when the environment already was in that state.</returns>
    public bool Suspend(string project, string environment, bool suspended)
    {
        var document = Document(project, environment);
        var was = document.TryGetValue("suspended", out var value) && value.AsBoolean;
        document["suspended"] = suspended;
        _records.Upsert(document);
        state.Flush();
        return was != suspended;
    }

    public void Pin(string project, string environment, Pin pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        var document = Document(project, environment);
        document["pin"] = StateJson.Write(pin);
        _records.Upsert(document);
        state.Flush();
    }

    /// <returns>False when it was not pinned.</returns>
    public bool Unpin(string project, string environment)
    {
        var document = Document(project, environment);
        var was = document.Remove("pin");
        _records.Upsert(document);
        state.Flush();
        return was;
    }

    public Pin? PinOf(string project, string environment) =>
        _records.FindById(Key(project, environment)) is { } d && d.TryGetValue("pin", out var pin) && pin.IsString ? StateJson.Read<Pin>(pin.AsString) : null;

    /// <summary>Keeps the newest drift found (the dashboard and <c>GET /environments</c> show it).</summary>
    public void Drifted(string project, string environment, DriftRecord drift)
    {
        ArgumentNullException.ThrowIfNull(drift);
        var document = Document(project, environment);
        document["drift"] = StateJson.Write(drift);
        _records.Upsert(document);
    }

    public DriftRecord? DriftOf(string project, string environment) =>
        _records.FindById(Key(project, environment)) is { } d && d.TryGetValue("drift", out var drift) && drift.IsString ? StateJson.Read<DriftRecord>(drift.AsString) : null;

    public bool IsSuspended(string project, string environment) =>
        _records.FindById(Key(project, environment)) is { } d && d.TryGetValue("suspended", out var value) && value.AsBoolean;

    /// <summary>Every environment the loop has seen, as (project, environment), in order.</summary>
    public IReadOnlyList<(string Project, string Environment)> Known(string? project) => _records.FindAll()
        .Select(d => d["_id"].AsString.Split('/', 2))
        .Select(k => (Project: k[0], Environment: k[1]))
        .Where(k => project is null || k.Project == project)
        .OrderBy(k => k.Project, StringComparer.Ordinal).ThenBy(k => k.Environment, StringComparer.Ordinal)
        .ToList();

    /// <summary>The environments of a project the loop last synced from this branch: a broken manifest there is theirs to report.</summary>
    public IReadOnlyList<(string Environment, SyncRecord Last)> FollowingBranch(string project, string branch) => Known(project)
        .Select(k => (k.Environment, Last: LastSync(project, k.Environment)))
        .Where(k => k.Last?.Branch == branch)
        .Select(k => (k.Environment, k.Last!))
        .ToList();

    /// <summary>Every branch the project's environments were last synced from.</summary>
    public IReadOnlySet<string> FollowedBranches(string project) => Known(project)
        .Select(k => LastSync(project, k.Environment)?.Branch)
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>An environment that is gone for good (a removed preview): its sync state, pin and suspension go with it.</summary>
    public void Forget(string project, string environment)
    {
        _records.Delete(Key(project, environment));
        state.Flush();
    }

    private BsonDocument Document(string project, string environment) =>
        _records.FindById(Key(project, environment)) ?? new BsonDocument { ["_id"] = Key(project, environment) };

    private static string Key(string project, string environment) => $"{project}/{environment}";
}
