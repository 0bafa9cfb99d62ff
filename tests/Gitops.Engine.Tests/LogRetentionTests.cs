using Gitops.Engine.Audit;
using Gitops.Engine.Crons;
using Gitops.Engine.Operations;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Tests;

/// <summary>
/// FR-019's retention per kind of log on a real state store, with an injected clock: deployment
/// logs go at <c>logs.deploy</c>, cron outputs at <c>logs.cron</c>, each at its own age; the audit
/// log never; what went is said by the stats, and platform.yaml's section is read and checked.
/// </summary>
public sealed class LogRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-retention-").FullName;

    [Fact]
    public void Each_kind_of_log_is_pruned_at_its_own_age_and_the_audit_log_never()
    {
        using var state = StateStore.Open(_directory);
        foreach (var (deployment, age) in new[] { ("d-old", 100), ("d-middle", 60), ("d-new", 1) })
        {
            state.AppendLog(deployment, new LogLine(Now.AddDays(-age), "build", $"{deployment} step 1"));
            state.AppendLog(deployment, new LogLine(Now.AddDays(-age).AddMinutes(1), "deploy", $"{deployment} step 2"));
        }

        var runs = new CronRuns(state);
        foreach (var (run, age) in new[] { ("r-old", 40), ("r-new", 10) })
        {
            runs.Finish(new CronRun { Id = run, Project = "shop", Environment = "dev", Cron = "report", Service = "web", Outcome = CronOutcome.Succeeded, StartedAt = Now.AddDays(-age), EndedAt = Now.AddDays(-age).AddMinutes(1) }, $"{run} output");
        }

        new AuditLog(state).Append("alice", "apply", "shop/dev", "ok");
        var clock = new SettableClock(Now);
        var compaction = new LogCompaction(state, LogRetention.Default, clock); // 90d, 30d, 7d

        var first = compaction.Compact();
        var afterFirst = (state.LogOf("d-old").Count, state.LogOf("d-middle").Count, state.LogOf("d-new").Count, runs.Log("r-old"), runs.Log("r-new"));
        clock.Now = Now.AddDays(31); // d-middle is 91 days old, r-new 41
        var second = compaction.Compact();
        var stats = compaction.Stats();

        Assert.Equal((2, 0), (first.DeployLines, second.DeployLines - 2)); // d-old's two lines, then d-middle's two
        Assert.Equal((1, 1), (first.CronOutputs, second.CronOutputs));
        Assert.Equal((0, 2, 2, (string?)null, "r-new output"), afterFirst);
        Assert.Equal((0, 0, 2), (state.LogOf("d-old").Count, state.LogOf("d-middle").Count, state.LogOf("d-new").Count));
        Assert.Null(runs.Log("r-new"));
        Assert.NotNull(runs.Get("r-old")); // the run stays in the history; only its output went
        Assert.Single(new AuditLog(state).List());
        var byKind = stats.Kinds.ToDictionary(k => k.Kind);
        Assert.Equal((2L, Now.AddDays(-1)), (byKind["deploy"].Entries!.Value, byKind["deploy"].Oldest!.Value));
        Assert.Equal(0L, byKind["cron"].Entries);
        Assert.Equal(1L, byKind["audit"].Entries);
        Assert.Equal("forever (never pruned)", byKind["audit"].Kept);
        Assert.Equal("90d (logs.deploy)", byKind["deploy"].Kept);
        Assert.Equal(second, stats.LastCompaction);
    }

    [Fact]
    public void Platform_yaml_sets_each_kinds_retention_and_refuses_one_under_an_hour_with_its_place()
    {
        var config = PlatformConfig.Parse("logs: { deploy: 30d, cron: 7d, runtime: 2d }\n", "platform.yaml", ProviderRegistry.Default);
        var defaults = PlatformConfig.Parse("allowFileUrls: false\n", "platform.yaml", ProviderRegistry.Default);
        var refused = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("logs:\n  cron: 10m\n", "platform.yaml", ProviderRegistry.Default));

        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromDays(7), TimeSpan.FromDays(2)), (config.Logs.Deploy.Value, config.Logs.Cron.Value, config.Logs.Runtime.Value));
        Assert.Equal((TimeSpan.FromDays(90), TimeSpan.FromDays(30), TimeSpan.FromDays(7)), (defaults.Logs.Deploy.Value, defaults.Logs.Cron.Value, defaults.Logs.Runtime.Value));
        Assert.Contains("platform.yaml:2:9", refused.Message, StringComparison.Ordinal);
        Assert.Contains("logs.cron must be at least 1h, not 10m", refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
