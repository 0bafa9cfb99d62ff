using Docker.DotNet.Models;
using Gitops.Engine.Crons;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.IntegrationTests;

/// <summary>
/// The platform's cron scheduler on real Docker and Podman, its clock injected (a test clock moved
/// by hand): crons run on their schedule as one-off containers of their service's image, env,
/// secrets and network; a run's exit code and output are recorded and its container removed;
/// timeout kills; forbid, replace and allow decide an overlap; times missed while the platform was
/// down run once; a restarted scheduler settles the runs its predecessor started.
/// </summary>
public sealed class CronTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 30, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_cron_runs_on_its_schedule_in_its_services_image_env_secrets_and_network_and_its_exit_code_and_output_are_recorded(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", "    env: { GREETING: hello-from-env }\n    secrets: [API_TOKEN]\n") + """
            crons:
              report:
                service: web
                schedule: "*/5 * * * *"
                command: ["sh", "-c", "echo \"$GREETING\"; [ \"$API_TOKEN\" = s3cr3t-value ] && echo token-ok; printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 3 web 8080; echo to-stderr >&2"]
            """);
        Assert.Equal(0, world.PaasWithInput("s3cr3t-value", "secrets", "set", world.Project, "API_TOKEN", "--env", "dev").ExitCode);
        Assert.Equal(0, world.Apply().ExitCode);
        var clock = new TestClock(Start);
        var events = new RecordedEvents();
        CronRun run;
        using (var scheduler = Scheduler.Open(world, clock, events))
        {
            Assert.Empty(await scheduler.Runner.TickAsync(Token)); // first seen: counted from now, nothing is due yet
            clock.Now = new DateTimeOffset(2026, 12, 2, 10, 4, 59, TimeSpan.Zero);
            Assert.Empty(await scheduler.Runner.TickAsync(Token));
            clock.Now = new DateTimeOffset(2026, 12, 2, 10, 5, 0, TimeSpan.Zero);
            var started = Assert.Single(await scheduler.Runner.TickAsync(Token));
            Assert.Equal((CronTrigger.Schedule, clock.Now), (started.Trigger, started.ScheduledFor));
            run = await scheduler.EndedAsync(started);
            Assert.Empty(await scheduler.Runner.TickAsync(Token)); // the same time never runs twice

            Assert.True(run.Outcome == CronOutcome.Succeeded, $"{run.Outcome}: {run.Detail}");
            Assert.Equal(0, run.ExitCode);
            var log = scheduler.Runner.Runs.Log(run.Id)!;
            Assert.Contains("hello-from-env", log, StringComparison.Ordinal);
            Assert.Contains("token-ok", log, StringComparison.Ordinal); // the secret reached the job's environment
            Assert.Contains("web-1", log, StringComparison.Ordinal); // it reached the service's replica by its name, on the environment's network
            Assert.Contains("to-stderr", log, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cr3t-value", StateJson.Write(run), StringComparison.Ordinal);
            var succeeded = Assert.Single(events.Seen);
            Assert.Equal((PlatformEvent.CronSucceeded, "report"), (succeeded.Name, succeeded.Service));
        }

        Assert.DoesNotContain((await world.ContainersAsync()).Keys, name => name.Contains("_job_", StringComparison.Ordinal)); // its container is gone, its output kept
        var plan = world.Plan();
        Assert.Contains("0 to create, 0 to update, 0 to replace, 0 to delete", plan.Output, StringComparison.Ordinal); // a job is never taken for a replica
        var history = world.Paas("cron", "history", "report", "--dir", world.AppDirectory, "--env", "dev");
        Assert.Contains(run.Id, history.Output, StringComparison.Ordinal);
        Assert.Contains("succeeded", history.Output, StringComparison.Ordinal);
        var logs = world.Paas("cron", "logs", run.Id);
        Assert.Contains("token-ok", logs.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_run_past_its_timeout_is_killed_and_recorded_as_timed_out(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web") + "crons:\n" + Cron("slow", "sleep 300", "timeout: 5s"));
        Assert.Equal(0, world.Apply().ExitCode);
        var clock = new TestClock(Start);
        var events = new RecordedEvents();
        using var scheduler = Scheduler.Open(world, clock, events);
        await scheduler.Runner.TickAsync(Token);
        clock.Now = Start.AddSeconds(30);
        var started = Assert.Single(await scheduler.Runner.TickAsync(Token));
        Assert.Equal(CronOutcome.Running, (await scheduler.Runner.SettleAsync(started, Token)).Outcome);
        Assert.Equal(1, await JobsAsync(world, "slow"));

        clock.Now = Start.AddSeconds(34); // 4 s in: within the timeout
        await scheduler.Runner.TickAsync(Token);
        Assert.Equal(CronOutcome.Running, scheduler.Runner.Runs.Get(started.Id)!.Outcome);
        clock.Now = Start.AddSeconds(35); // 5 s in
        await scheduler.Runner.TickAsync(Token);

        var run = scheduler.Runner.Runs.Get(started.Id)!;
        Assert.Equal(CronOutcome.TimedOut, run.Outcome);
        Assert.Equal("killed after its timeout of 5s", run.Detail);
        Assert.Equal(137, run.ExitCode); // SIGKILL
        Assert.Equal(0, await JobsAsync(world, "slow"));
        Assert.Equal(PlatformEvent.CronFailed, Assert.Single(events.Seen).Name);
    }

    [Fact]
    public async Task Overlapping_runs_follow_the_crons_concurrency_forbid_skips_replace_kills_the_old_one_allow_runs_both()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest("services:\n" + world.WebService("web")
            + "crons:\n" + Cron("forbidden", "sleep 300", "concurrency: forbid") + Cron("replaced", "sleep 300", "concurrency: replace") + Cron("allowed", "sleep 300", "concurrency: allow"));
        Assert.Equal(0, world.Apply().ExitCode);
        var clock = new TestClock(Start);
        using var scheduler = Scheduler.Open(world, clock, new RecordedEvents());
        await scheduler.Runner.TickAsync(Token);
        clock.Now = Start.AddSeconds(30);
        var first = (await scheduler.Runner.TickAsync(Token)).ToDictionary(r => r.Cron);
        Assert.Equal(3, first.Count);

        clock.Now = Start.AddSeconds(90); // the next minute, all three still running
        var second = (await scheduler.Runner.TickAsync(Token)).ToDictionary(r => r.Cron);

        Assert.Equal(CronOutcome.Skipped, second["forbidden"].Outcome);
        Assert.Equal($"run {first["forbidden"].Id} was still running (concurrency: forbid)", second["forbidden"].Detail);
        Assert.Equal(CronOutcome.Running, scheduler.Runner.Runs.Get(first["forbidden"].Id)!.Outcome);
        Assert.Equal(1, await JobsAsync(world, "forbidden"));

        var replaced = scheduler.Runner.Runs.Get(first["replaced"].Id)!;
        Assert.Equal(CronOutcome.Replaced, replaced.Outcome);
        Assert.Equal($"replaced by run {second["replaced"].Id} (concurrency: replace)", replaced.Detail);
        Assert.Equal(CronOutcome.Running, second["replaced"].Outcome);
        Assert.Equal(1, await JobsAsync(world, "replaced"));

        Assert.Equal(CronOutcome.Running, scheduler.Runner.Runs.Get(first["allowed"].Id)!.Outcome);
        Assert.Equal(CronOutcome.Running, second["allowed"].Outcome);
        Assert.Equal(2, await JobsAsync(world, "allowed"));

        // By hand, the same rules: forbid refuses while a run runs.
        var refused = await Assert.ThrowsAsync<CronRefusedException>(() => scheduler.Runner.RunNowAsync(world.Project, "dev", "forbidden", "tester", Token));
        Assert.Contains("still running (concurrency: forbid)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_missed_while_the_platform_was_down_run_once_and_a_restarted_scheduler_records_how_its_predecessors_run_ended()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest("services:\n" + world.WebService("web") + "crons:\n" + Cron("tick", "sleep 2; echo finished-while-away; exit 4"));
        Assert.Equal(0, world.Apply().ExitCode);
        var clock = new TestClock(Start);
        CronRun started;
        using (var scheduler = Scheduler.Open(world, clock, new RecordedEvents()))
        {
            await scheduler.Runner.TickAsync(Token);
            clock.Now = Start.AddMinutes(6); // six schedule times (10:01 … 10:06) went by unseen
            started = Assert.Single(await scheduler.Runner.TickAsync(Token));
            Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 6, 0, TimeSpan.Zero), started.ScheduledFor); // once, for the newest
        }

        // The scheduler is gone (a server stopped) while its run ends by itself.
        await Task.Delay(TimeSpan.FromSeconds(4), Token);
        using (var scheduler = Scheduler.Open(world, clock, new RecordedEvents()))
        {
            clock.Now = Start.AddMinutes(6).AddSeconds(5);
            Assert.Empty(await scheduler.Runner.TickAsync(Token)); // nothing new is due
            var run = scheduler.Runner.Runs.Get(started.Id)!;
            Assert.Equal((CronOutcome.Failed, 4, "exited 4"), (run.Outcome, run.ExitCode, run.Detail));
            Assert.Contains("finished-while-away", scheduler.Runner.Runs.Log(run.Id), StringComparison.Ordinal);
            Assert.Single(scheduler.Runner.Runs.History(world.Project, "dev", "tick"));
        }

        Assert.Equal(0, await JobsAsync(world, "tick"));
    }

    [Fact]
    public async Task A_job_runs_on_the_networks_of_its_service_so_allowFrom_lets_it_in_where_its_service_may_go_and_nowhere_else()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest("services:\n" + world.WebService("db", "    allowFrom: [web]\n") + world.WebService("web") + world.WebService("other") + """
            crons:
              from-web:
                service: web
                schedule: "@daily"
                command: ["sh", "-c", "printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 3 db 8080 && sleep 30"]
              from-other:
                service: other
                schedule: "@daily"
                command: ["sh", "-c", "printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 3 db 8080 | grep -q db-1"]
            """);
        Assert.Equal(0, world.Apply().ExitCode);
        var clock = new TestClock(Start);
        using (var scheduler = Scheduler.Open(world, clock, new RecordedEvents()))
        {
            var allowed = await scheduler.Runner.RunNowAsync(world.Project, "dev", "from-web", "tester", Token);
            var refused = await scheduler.EndedAsync(await scheduler.Runner.RunNowAsync(world.Project, "dev", "from-other", "tester", Token));
            Assert.Equal(CronOutcome.Failed, refused.Outcome); // other may not reach db
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!(await scheduler.Runner.LogAsync(allowed, Token)).Contains("db-1", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "the job of web did not reach db");
                await Task.Delay(200, Token);
            }

            Assert.Equal(CronOutcome.Running, (await scheduler.Runner.SettleAsync(allowed, Token)).Outcome);
            Assert.Equal(CronTrigger.Manual, allowed.Trigger);
            Assert.Equal("tester", allowed.By);
        }

        // While web's job is on db's door, the plan sees no stranger there (the job is web's, by the same rule).
        var plan = world.Plan();
        Assert.DoesNotContain("who may connect", plan.Output, StringComparison.Ordinal);
        Assert.Contains("0 to create, 0 to update, 0 to replace, 0 to delete", plan.Output, StringComparison.Ordinal);

        // Destroyed with the job still running: the environment goes, and the run is recorded as lost.
        Assert.Equal(0, world.Paas("destroy", world.AppDirectory, "--env", "dev", "--yes").ExitCode);
        using (var scheduler = Scheduler.Open(world, clock, new RecordedEvents()))
        {
            await scheduler.Runner.TickAsync(Token);
            var lost = scheduler.Runner.Runs.History(world.Project, "dev", "from-web").Single();
            Assert.Equal(CronOutcome.Lost, lost.Outcome);
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>One entry under <c>crons:</c>: every minute, in web.</summary>
    private static string Cron(string name, string script, string extra = "") =>
        $"  {name}:\n    service: web\n    schedule: \"* * * * *\"\n    command: [\"sh\", \"-c\", \"{script}\"]\n" + (extra.Length > 0 ? $"    {extra}\n" : "");

    /// <summary>The cron's job containers on the engine.</summary>
    private static async Task<int> JobsAsync(EngineWorld world, string cron) =>
        (await world.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={world.Project}"] = true, [$"{Labels.Cron}={cron}"] = true } },
        }, Token)).Count;

    /// <summary>The world's state and target with a scheduler on them (the CLI cannot use the state meanwhile).</summary>
    private sealed class Scheduler : IDisposable
    {
        private readonly StateStore _state;

        private Scheduler(StateStore state, CronRunner runner) => (_state, Runner) = (state, runner);

        public CronRunner Runner { get; }

        public static Scheduler Open(EngineWorld world, TimeProvider clock, IEventSink events)
        {
            var state = StateStore.Open(world.DataDirectory);
            var platform = PlatformConfig.Load(world.DataDirectory);
            var runner = new CronRunner(state, (_, _) => ProviderRegistry.Default.Connect(platform.Target("local")), new SecretStore(state),
                new ExecutionHooks(clock, CrashHooks.FromEnvironment()) { Events = events });
            return new Scheduler(state, runner);
        }

        /// <summary>The run once it ended (the scheduler looks at it twice a second, as the server's passes would).</summary>
        public async Task<CronRun> EndedAsync(CronRun run)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((run = await Runner.SettleAsync(run, Token)).Outcome == CronOutcome.Running)
            {
                Assert.True(DateTime.UtcNow < deadline, $"run {run.Id} did not end within 60 s");
                await Task.Delay(500, Token);
            }

            return run;
        }

        public void Dispose()
        {
            Runner.Dispose();
            _state.Dispose();
        }
    }
}
