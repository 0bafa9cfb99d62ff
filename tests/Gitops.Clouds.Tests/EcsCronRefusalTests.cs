using Gitops.Providers.Aws;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Every field of a cron an ecs target cannot keep as written is refused by <c>paas apply</c> before
/// anything changes, naming the field and the fix: nothing is made on moto (no cluster, no schedule group).
/// </summary>
public sealed class EcsCronRefusalTests(Moto moto)
{
    private const string Web = "  web:\n    image: registry.example.com/shop/web:1\n    port: 8080\ncrons:\n  nightly:\n    service: web\n";

    [Theory]
    [InlineData("    schedule: \"0 2 * * *\"\n", true, "crons.nightly.concurrency: an ecs target's crons are started by EventBridge Scheduler, which starts every due run even while the previous one still runs, so 'forbid' cannot be kept; write concurrency: allow")]
    [InlineData("    schedule: \"0 2 * * *\"\n    concurrency: replace\n", true, "crons.nightly.concurrency: an ecs target's crons are started by EventBridge Scheduler, which starts every due run even while the previous one still runs, so 'replace' cannot be kept")]
    [InlineData("    schedule: \"0 2 L * *\"\n    concurrency: allow\n", true, "crons.nightly.schedule: '0 2 L * *' uses 'L', and cloud schedulers read only numbers")]
    [InlineData("    schedule: \"0 2 1 * 1\"\n    concurrency: allow\n", true, "crons.nightly.schedule: '0 2 1 * 1' restricts both the day of the month and the day of the week (standard cron runs on either), and EventBridge Scheduler can restrict only one of them; split it into two crons")]
    [InlineData("    schedule: \"0 2 * * *\"\n    concurrency: allow\n", false, "crons.nightly: an ecs target runs crons with EventBridge Scheduler, which needs an IAM role to start their tasks; set schedulerRole: (the role's ARN) on the target in platform.yaml")]
    public async Task A_cron_field_eventbridge_scheduler_cannot_keep_is_refused_naming_it_and_nothing_is_made(string fields, bool schedulerRole, string refusal)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "refusal-test-secret-key", registry: false, ct, schedulerRole: schedulerRole);
        var project = $"r{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web + fields);

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.True((applied.Output + applied.Error).Contains(refusal, StringComparison.Ordinal), applied.ToString());
        Assert.Empty((await moto.Cli.JsonAsync("ecs", "describe-clusters", "--clusters", world.Cluster))!["clusters"]!.AsArray());
        var groups = (await moto.Cli.JsonAsync("scheduler", "list-schedule-groups"))!["ScheduleGroups"]!.AsArray();
        Assert.DoesNotContain(groups, g => (string?)g!["Name"] == EcsNames.ScheduleGroup(project, EcsWorld.Environment));
    }

    [Fact]
    public async Task More_crons_on_one_service_than_its_ecs_tags_can_keep_are_refused_and_nothing_is_made()
    {
        var more = string.Concat(Enumerable.Range(1, EcsCrons.MostCrons).Select(i => $"  more{i}:\n    service: web\n    schedule: \"0 2 * * *\"\n    concurrency: allow\n"));

        await A_cron_field_eventbridge_scheduler_cannot_keep_is_refused_naming_it_and_nothing_is_made(
            "    schedule: \"0 2 * * *\"\n    concurrency: allow\n" + more,
            schedulerRole: true,
            $"services.web: {EcsCrons.MostCrons + 1} crons run web's image, and an ecs target keeps each cron's schedule as one tag of the ECS service, which holds at most 50 tags");
    }
}
