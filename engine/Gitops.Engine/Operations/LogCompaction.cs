using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Operations;

/// <summary>What one compaction dropped, and when.</summary>
public sealed record Compaction(DateTimeOffset At, int DeployLines, int CronOutputs);

/// <summary>One kind of log as <c>paas logs --stats</c> shows it: what is kept, since when, for how long.</summary>
/// <param name="Entries">Lines (deploy), runs' outputs (cron), entries (audit); null where the platform keeps none (runtime).</param>
public sealed record LogKindStats(string Kind, long? Entries, long? Characters, DateTimeOffset? Oldest, string Kept);

/// <summary>Every kind of log with its retention, and the last compaction.</summary>
public sealed record LogStats(IReadOnlyList<LogKindStats> Kinds, Compaction? LastCompaction);

/// <summary>
/// Enforces platform.yaml's <c>logs:</c> (<see cref="LogRetention"/>): drops deployment log lines
/// and cron runs' outputs older than their kind's age, each by its own (the records stay in the
/// history, only their logs go). The audit log is never pruned. Runtime output is the engine's
/// (capped by size) and is held to its age where it is read (<see cref="ServiceLogs"/>).
/// </summary>
public sealed class LogCompaction(StateStore state, LogRetention retention, TimeProvider clock)
{
    private readonly ILiteCollection<BsonDocument> _compactions = state.Collection("compactions");

    public Compaction Compact()
    {
        var now = clock.GetUtcNow();
        var done = new Compaction(now, state.PruneLogs(now - retention.Deploy.Value), new Crons.CronRuns(state).PruneLogs(now - retention.Cron.Value));
        _compactions.Upsert(new BsonDocument { ["_id"] = "last", ["json"] = StateJson.Write(done) });
        return done;
    }

    public LogStats Stats()
    {
        var deploy = state.LogStats();
        var cron = new Crons.CronRuns(state).LogStats();
        var audit = new Audit.AuditLog(state).List(limit: int.MaxValue);
        return new LogStats(
        [
            new LogKindStats("deploy", deploy.Entries, deploy.Characters, deploy.Oldest, $"{retention.Deploy} (logs.deploy)"),
            new LogKindStats("cron", cron.Entries, cron.Characters, cron.Oldest, $"{retention.Cron} (logs.cron)"),
            new LogKindStats("runtime", null, null, null, $"{retention.Runtime} (logs.runtime): the engine keeps at most 30 MB a replica; older lines are never shown"),
            new LogKindStats("audit", audit.Count, null, audit.Count == 0 ? null : audit.Min(e => e.At), "forever (never pruned)"),
        ],
        _compactions.FindById("last") is { } last ? StateJson.Read<Compaction>(last["json"].AsString) : null);
    }
}
