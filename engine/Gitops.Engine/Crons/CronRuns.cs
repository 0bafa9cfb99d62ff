using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Crons;

/// <summary>
/// Every cron run with its output, and per cron the schedule's last time that was handled (the
/// cursor that makes a missed schedule run once after downtime). In the state, so a restarted
/// server finds the runs it started and records how they ended.
/// </summary>
public sealed class CronRuns(StateStore state)
{
    /// <summary>Runs kept per cron (newest first) until log retention (platform.yaml <c>logs.cron</c>) prunes by age.</summary>
    public const int KeptPerCron = 200;

    /// <summary>The end of a run's output kept, in characters: a chatty job cannot fill the state.</summary>
    public const int KeptLogChars = 256 * 1024;

    private readonly ILiteCollection<BsonDocument> _runs = Indexed(state.Collection("cronruns"));
    private readonly ILiteCollection<BsonDocument> _logs = state.Collection("cronlogs");
    private readonly ILiteCollection<BsonDocument> _cursors = state.Collection("croncursors");

    public void Save(CronRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs.Upsert(new BsonDocument
        {
            ["_id"] = run.Id,
            ["cron"] = Key(run.Project, run.Environment, run.Cron),
            ["environment"] = $"{run.Project}/{run.Environment}",
            ["started"] = run.StartedAt.UtcDateTime,
            ["running"] = run.Outcome == CronOutcome.Running,
            ["json"] = StateJson.Write(run),
        });
        state.Flush();
    }

    /// <summary>A run that ended: its record and the end of its output; older runs of the cron beyond <see cref="KeptPerCron"/> go.</summary>
    public void Finish(CronRun run, string log)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(log);
        _logs.Upsert(new BsonDocument
        {
            ["_id"] = run.Id,
            ["ended"] = (run.EndedAt ?? run.StartedAt).UtcDateTime, // retention counts from here (logs.cron)
            ["text"] = log.Length > KeptLogChars ? "[… earlier output left out]\n" + log[^KeptLogChars..] : log,
        });
        Save(run);
        foreach (var old in _runs.Query().Where(Query.EQ("cron", Key(run.Project, run.Environment, run.Cron))).OrderByDescending(d => d["started"]).Offset(KeptPerCron).ToList().Select(d => d["_id"]).ToList())
        {
            _runs.Delete(old);
            _logs.Delete(old);
        }
    }

    /// <summary>Drops the output of runs that ended before <paramref name="cutoff"/> (their records stay in the history). Returns how many.</summary>
    public int PruneLogs(DateTimeOffset cutoff)
    {
        var old = _logs.FindAll()
            .Where(d => (d.TryGetValue("ended", out var ended) ? ended.AsDateTime : _runs.FindById(d["_id"])?["started"].AsDateTime ?? DateTime.MinValue).ToUniversalTime() < cutoff.UtcDateTime)
            .Select(d => d["_id"])
            .ToList();
        foreach (var id in old)
        {
            _logs.Delete(id);
        }

        return old.Count;
    }

    /// <summary>How many runs' outputs are kept, their size in characters, and when the oldest of them ended.</summary>
    public (long Entries, long Characters, DateTimeOffset? Oldest) LogStats()
    {
        var documents = _logs.FindAll().ToList();
        var ends = documents.Where(d => d.ContainsKey("ended")).Select(d => new DateTimeOffset(d["ended"].AsDateTime.ToUniversalTime())).ToList();
        return (documents.Count, documents.Sum(d => (long)d["text"].AsString.Length), ends.Count == 0 ? null : ends.Min());
    }

    public CronRun? Get(string id) => _runs.FindById(id) is { } document ? Read(document) : null;

    /// <summary>The output a finished run kept; null while it runs (ask the target) or for an unknown run.</summary>
    public string? Log(string id) => _logs.FindById(id) is { } document ? document["text"].AsString : null;

    /// <summary>Runs not ended yet, of every environment.</summary>
    public IReadOnlyList<CronRun> Running() => _runs.Find(Query.EQ("running", true)).Select(Read).ToList();

    /// <summary>A cron's runs, newest first.</summary>
    public IReadOnlyList<CronRun> History(string project, string environment, string cron, int limit = 20) =>
        _runs.Query().Where(Query.EQ("cron", Key(project, environment, cron))).OrderByDescending(d => d["started"]).Limit(limit).ToList().Select(Read).ToList();

    /// <summary>The schedule's newest time handled for a cron; null when the platform has not seen the cron yet.</summary>
    public DateTimeOffset? Cursor(string project, string environment, string cron) =>
        _cursors.FindById(Key(project, environment, cron)) is { } document ? new DateTimeOffset(document["at"].AsDateTime.ToUniversalTime(), TimeSpan.Zero) : null;

    public void Advance(string project, string environment, string cron, DateTimeOffset at) =>
        _cursors.Upsert(new BsonDocument { ["_id"] = Key(project, environment, cron), ["environment"] = $"{project}/{environment}", ["at"] = at.UtcDateTime });

    /// <summary>Cursors of crons an environment no longer declares: declared again later, such a cron starts afresh instead of catching up.</summary>
    public void Forget(string project, string environment, IReadOnlySet<string> declared)
    {
        foreach (var id in _cursors.Find(Query.EQ("environment", $"{project}/{environment}")).Select(d => d["_id"].AsString).Where(id => !declared.Contains(id[(id.LastIndexOf('/') + 1)..])).ToList())
        {
            _cursors.Delete(id);
        }
    }

    private static string Key(string project, string environment, string cron) => $"{project}/{environment}/{cron}";

    private static CronRun Read(BsonDocument document) => StateJson.Read<CronRun>(document["json"].AsString);

    private static ILiteCollection<BsonDocument> Indexed(ILiteCollection<BsonDocument> runs)
    {
        runs.EnsureIndex("cron");
        runs.EnsureIndex("running");
        return runs;
    }
}
