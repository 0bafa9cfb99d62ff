using System.Globalization;
using System.Text.Json;
using Gitops.Cli;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas logs SERVICE --env ENV</c> on real engines: every replica's stdout and stderr interleaved
/// by time with the replica as prefix, narrowed by <c>--replica</c>, <c>--tail</c> and <c>--since</c>,
/// and followed (<c>-f</c>) across a deploy that replaces the replicas. Locally here; through the
/// server's event stream in <see cref="ServiceLogsServerTests"/>.
/// </summary>
public sealed class ServiceLogsTests
{
    /// <summary>Two replicas each writing a numbered line to stdout and one to stderr every 200 ms; <paramref name="version"/> in every line.</summary>
    internal static string Talker(EngineWorld world, string version) => $$"""
        services:
          talker:
            image: {{world.Busybox}}
            replicas: 2
            command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo \"{{version}} out $i\"; echo \"{{version}} err $i\" >&2; sleep 0.2; done"]
            deploy: { drain: 1s }

        """;

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")] // the engine's service log: every task's, named by its slot
    public async Task Logs_interleave_every_replica_by_time_and_narrow_to_one_replica_a_tail_or_a_time(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest(Talker(world, "v1"));
        Assert.Equal(0, world.Apply().ExitCode);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // some lines from each replica

        var all = Lines(world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory, "-o", "json"));
        Assert.Equal(["talker-1", "talker-2"], all.Select(l => l.Replica).Distinct().Order());
        Assert.Contains(all, l => l.Stream == "stderr" && l.Text.StartsWith("v1 err ", StringComparison.Ordinal));
        Assert.Contains(all, l => l.Stream == "stdout" && l.Text.StartsWith("v1 out ", StringComparison.Ordinal));
        Assert.Equal(all.Select(l => l.At).Order(), all.Select(l => l.At)); // by time across replicas
        Assert.True(all.Zip(all.Skip(1)).Count(p => p.First.Replica != p.Second.Replica) >= 4, "replicas' lines are interleaved, not one replica's then the other's");
        foreach (var replica in all.GroupBy(l => l.Replica))
        {
            var numbers = replica.Where(l => l.Stream == "stdout").Select(l => int.Parse(l.Text.Split(' ')[2], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers); // none lost, none doubled
        }

        var text = world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory);
        Assert.Contains("talker-2 | v1 out ", text.Output, StringComparison.Ordinal);

        var second = Lines(world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory, "--replica", "2", "-o", "json"));
        Assert.NotEmpty(second);
        Assert.All(second, l => Assert.Equal("talker-2", l.Replica));

        var tail = Lines(world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory, "--tail", "3", "-o", "json"));
        Assert.Equal([3, 3], tail.GroupBy(l => l.Replica).Select(g => g.Count()));

        var from = all[^1].At;
        var since = Lines(world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory, "--since", from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), "-o", "json"));
        Assert.NotEmpty(since);
        Assert.All(since, l => Assert.True(l.At >= from, $"{l.At:O} is before --since {from:O}"));
        Assert.True(since.Count < Lines(world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory, "--tail", "all", "-o", "json")).Count);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")] // Swarm's rolling update starts new tasks under the same service
    public async Task Following_keeps_printing_new_lines_and_picks_up_the_replicas_a_deploy_starts(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest(Talker(world, "v1"));
        Assert.Equal(0, world.Apply().ExitCode);

        using var output = new StringWriter();
        var shared = TextWriter.Synchronized(output);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var follow = Task.Run(() => PaasCli.Run(["logs", "talker", "--env", "dev", "--dir", world.AppDirectory, "-f", "--tail", "0", "--data-dir", world.DataDirectory],
            CliConsole.Plain(shared, TextWriter.Null) with { Cancellation = stop.Token }), TestContext.Current.CancellationToken);
        await WaitForAsync(() => output.ToString(), "talker-1 | v1 out ", "talker-2 | v1 out ");

        world.WriteManifest(Talker(world, "v2"));
        var deploy = world.Apply();
        Assert.True(deploy.ExitCode == 0, deploy.ToString()); // new replicas, the old ones stopped and removed
        await WaitForAsync(() => output.ToString(), "talker-1 | v2 out ", "talker-2 | v2 out ");

        await stop.CancelAsync();
        Assert.Equal(0, await follow.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)); // Ctrl+C ends a follow normally
        var printed = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(printed.Length, printed.Distinct().Count()); // every numbered line once
    }

    [Fact]
    public async Task Lines_older_than_logs_runtime_are_never_shown_and_logs_stats_says_what_each_kind_keeps()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(Talker(world, "v1"));
        Assert.Equal(0, world.Apply().ExitCode);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        int today, weekLater;
        using (var state = Gitops.Engine.State.StateStore.Open(world.DataDirectory))
        {
            var connect = Gitops.Engine.Crons.CronRunner.OnLastSyncedTarget(state, Gitops.Engine.Targets.PlatformConfig.Load(world.DataDirectory), Gitops.Engine.Targets.ProviderRegistry.Default.Connect);
            var query = new Gitops.Engine.Targets.RuntimeLogQuery(world.Project, "dev", "talker");
            today = await CountAsync(new Gitops.Engine.Operations.ServiceLogs(state, connect, Gitops.Engine.Operations.LogRetention.Default, TimeProvider.System).Open(query));
            weekLater = await CountAsync(new Gitops.Engine.Operations.ServiceLogs(state, connect, Gitops.Engine.Operations.LogRetention.Default, new CronServerTests.ShiftedClock { Ahead = TimeSpan.FromDays(8) }).Open(query));
        }

        var stats = world.Paas("logs", "--stats");
        var compacted = world.Paas("logs", "--stats", "--compact", "-o", "json");

        Assert.True(today > 0, "no line today");
        Assert.Equal(0, weekLater); // logs.runtime is 7d: eight days on, none of them is shown
        Assert.True(stats.ExitCode == 0, stats.ToString());
        foreach (var expected in new[] { "deploy", "90d (logs.deploy)", "cron", "30d (logs.cron)", "runtime", "7d (logs.runtime)", "audit", "forever (never pruned)", "no compaction yet" })
        {
            Assert.Contains(expected, stats.Output, StringComparison.Ordinal);
        }

        var json = JsonDocument.Parse(compacted.Output).RootElement;
        Assert.True(json.GetProperty("kinds")[0].GetProperty("entries").GetInt64() > 0); // this deployment's log lines
        Assert.Equal(0, json.GetProperty("lastCompaction").GetProperty("deployLines").GetInt32()); // none is 90 days old
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<Gitops.Engine.Targets.RuntimeLogLine> lines)
    {
        var count = 0;
        await foreach (var _ in lines.WithCancellation(TestContext.Current.CancellationToken))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task A_service_the_environment_does_not_run_is_named_in_the_error_with_those_it_runs()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(Talker(world, "v1"));
        var before = world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory);
        Assert.Equal(ExitCodes.InvalidInput, before.ExitCode);
        Assert.Contains($"{world.Project}/dev has no running deployment", before.Error, StringComparison.Ordinal);

        Assert.Equal(0, world.Apply().ExitCode);
        var typo = world.Paas("logs", "taker", "--env", "dev", "--dir", world.AppDirectory);
        Assert.Equal(ExitCodes.InvalidInput, typo.ExitCode);
        Assert.Contains($"{world.Project}/dev runs no service 'taker'; it runs talker", typo.Error, StringComparison.Ordinal);
        var since = world.Paas("logs", "talker", "--env", "dev", "--dir", world.AppDirectory, "--since", "yesterday");
        Assert.Equal(ExitCodes.Usage, since.ExitCode);
        Assert.Contains("--since 'yesterday' is neither an age", since.Error, StringComparison.Ordinal);
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    internal sealed record Line(DateTimeOffset At, string Replica, string Stream, string Text);

    internal static List<Line> Lines(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<Line>(l, Web)!).ToList();
    }

    internal static async Task WaitForAsync(Func<string> text, params string[] expected)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(200, TestContext.Current.CancellationToken))
        {
            if (expected.All(e => text().Contains(e, StringComparison.Ordinal)))
            {
                return;
            }
        }

        Assert.Fail($"not all of [{string.Join(", ", expected)}] came within 90 s; printed:\n{text()}");
    }
}
