using Amazon.Runtime;
using Gitops.Engine.Crons;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws;
using Gitops.Schema.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gitops.Clouds.Tests;

/// <summary>
/// ECS runs a task until it ends, so the platform keeps a cron's timeout itself: the ecs driver stops
/// the runs of a cron past it (what the server's cron worker asks of it), with a reason naming the
/// cron and its timeout, and leaves a run under its timeout alone. The runs are started with moto's
/// RunTask as EventBridge Scheduler would (moto's scheduler never fires), read back with the aws CLI.
/// </summary>
public sealed class EcsCronTimeoutTests(Moto moto)
{
    [Fact]
    public async Task A_run_past_its_crons_timeout_is_stopped_with_a_reason_naming_the_cron_and_one_under_its_timeout_is_left_running()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "cron-test-secret-key", registry: false, ct);
        var project = $"t{Guid.NewGuid():N}"[..12];
        var aws = moto.Cli;
        world.WriteManifest(project, """
              web:
                image: registry.example.com/shop/web:1
                port: 8080
            crons:
              quick:
                service: web
                schedule: "* * * * *"
                timeout: 2s
                concurrency: allow
              slow:
                service: web
                schedule: "0 3 * * *"
                timeout: 1h
                concurrency: allow

            """);
        var applied = world.Apply();
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var quick = await RunAsync(aws, world, project, "quick");
        var slow = await RunAsync(aws, world, project, "slow");
        using var driver = EcsProvider.Open(new EcsOptions
        {
            Region = Moto.Region,
            Cluster = world.Cluster,
            Subnets = new ValueList<string>(moto.Subnets),
            SecurityGroups = new ValueList<string>([moto.SecurityGroup]),
            ExecutionRole = Moto.ExecutionRole,
            SchedulerRole = Moto.SchedulerRole,
            Endpoint = moto.Endpoint,
        }, new BasicAWSCredentials("testing", "testing"), NullLogger.Instance);
        List<DesiredCron> crons =
        [
            new("quick", "* * * * *", null, Duration.FromSeconds(2), CronConcurrency.Allow),
            new("slow", "0 3 * * *", null, Duration.FromSeconds(3600), CronConcurrency.Allow),
        ];
        var now = DateTimeOffset.UtcNow;

        var first = await driver.StopOverdueAsync(project, EcsWorld.Environment, crons, now, ct); // moto gives no startedAt: timed from now
        var later = await driver.StopOverdueAsync(project, EcsWorld.Environment, crons, now.AddSeconds(5), ct);

        Assert.Empty(first);
        var stopped = Assert.Single(later);
        Assert.Equal("quick", stopped.Cron);
        var tasks = (await aws.JsonAsync("ecs", "describe-tasks", "--cluster", world.Cluster, "--tasks", quick, slow))!["tasks"]!.AsArray();
        var q = tasks.Single(t => (string?)t!["taskArn"] == quick)!;
        var s = tasks.Single(t => (string?)t!["taskArn"] == slow)!;
        Assert.Equal("STOPPED", (string?)q["desiredStatus"]);
        Assert.StartsWith("paas: cron quick ran past its timeout of 2s", (string?)q["stoppedReason"], StringComparison.Ordinal);
        Assert.Equal("RUNNING", (string?)s["desiredStatus"]);
        Assert.Empty(await driver.StopOverdueAsync(project, EcsWorld.Environment, crons, now.AddSeconds(60), ct)); // a stopped run is not stopped twice; slow is within its hour
    }

    [Fact]
    public async Task The_servers_cron_scheduler_has_the_ecs_target_stop_a_run_past_its_timeout_and_records_the_cron_as_failed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "cron-test-secret-key", registry: false, ct);
        var project = $"t{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, "  web:\n    image: registry.example.com/shop/web:1\n    port: 8080\ncrons:\n  quick:\n    service: web\n    schedule: \"0 3 * * *\"\n    timeout: 5s\n    concurrency: allow\n");
        var applied = world.Apply();
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var quick = await RunAsync(moto.Cli, world, project, "quick");
        var clock = new Clock(DateTimeOffset.UtcNow);
        var events = new Events();
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var platform = PlatformConfig.Load(world.DataDirectory);
            using var runner = new CronRunner(state, (_, _) => ProviderRegistry.Default.Connect(platform.Target("aws")), new SecretStore(state),
                new ExecutionHooks(clock, CrashHooks.FromEnvironment()) { Events = events });

            Assert.Empty(await runner.TickAsync(ct)); // the target schedules the cron: the platform starts nothing, and first sees the run now
            clock.Now += TimeSpan.FromSeconds(3);
            await runner.TickAsync(ct); // within the check interval: nothing asked
            clock.Now += CronRunner.TimeoutCheckInterval;
            await runner.TickAsync(ct);
        }

        var failed = Assert.Single(events.Seen);
        Assert.Equal((PlatformEvent.CronFailed, project, "quick"), (failed.Name, failed.Project, failed.Service));
        Assert.Contains("ran past its timeout of 5s", failed.Detail, StringComparison.Ordinal);
        var task = (await moto.Cli.JsonAsync("ecs", "describe-tasks", "--cluster", world.Cluster, "--tasks", quick))!["tasks"]![0]!;
        Assert.Equal("STOPPED", (string?)task["desiredStatus"]);
        Assert.StartsWith("paas: cron quick ran past its timeout of 5s", (string?)task["stoppedReason"], StringComparison.Ordinal);
    }

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Events : IEventSink
    {
        public List<PlatformEvent> Seen { get; } = [];

        public void Publish(PlatformEvent platformEvent) => Seen.Add(platformEvent);
    }

    /// <summary>One task of the cron's revision, as its schedule's RunTask would start it.</summary>
    private static async Task<string> RunAsync(AwsCli aws, EcsWorld world, string project, string cron)
    {
        var group = EcsNames.ScheduleGroup(project, EcsWorld.Environment);
        var schedule = (await aws.JsonAsync("scheduler", "get-schedule", "--name", EcsNames.Schedule(project, EcsWorld.Environment, cron), "--group-name", group))!;
        var parameters = schedule["Target"]!["EcsParameters"]!;
        var network = parameters["NetworkConfiguration"]!["awsvpcConfiguration"]!;
        var vpc = $"awsvpcConfiguration={{subnets=[{(string)network["Subnets"]![0]!}],securityGroups=[{(string)network["SecurityGroups"]![0]!}]}}";
        return await aws.TextAsync("ecs", "run-task", "--cluster", world.Cluster, "--task-definition", (string)parameters["TaskDefinitionArn"]!, "--launch-type", "FARGATE",
            "--group", (string)parameters["Group"]!, "--network-configuration", vpc, "--query", "tasks[0].taskArn");
    }
}
