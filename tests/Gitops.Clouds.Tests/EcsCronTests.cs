using System.Text.Json.Nodes;
using Gitops.Providers.Aws;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Crons on an ecs target, scheduled by EventBridge Scheduler, through <c>paas plan</c> and
/// <c>paas apply</c> on moto. What the platform made is read back with the aws CLI (scheduler, ecs),
/// never through the driver.
/// </summary>
public sealed class EcsCronTests(Moto moto)
{
    private const string SecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-db-AbCdEf";

    private const string Services = """
          web:
            image: registry.example.com/shop/web@sha256:1111111111111111111111111111111111111111111111111111111111111111
            port: 8080
            env: { MODE: production }
            secrets: [DATABASE_URL]
            resources: { cpu: "0.5", memory: 1Gi }
          api:
            image: registry.example.com/shop/api:1
            port: 8080

        """;

    private const string Crons = """
        crons:
          nightly:
            service: web
            schedule: "30 2 * * 1-5"
            timeZone: Europe/Paris
            command: ["./report", "--daily"]
            timeout: 10m
            concurrency: allow
          hourly:
            service: web
            schedule: "@hourly"
            concurrency: allow

        """;

    [Fact]
    public async Task A_cron_becomes_a_schedule_and_a_task_definition_of_its_own_a_change_updates_them_and_a_removed_cron_service_or_environment_deletes_them()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "cron-test-secret-key", registry: false, ct);
        var aws = moto.Cli;
        var (project, group, nightly) = WriteServicesAndCrons(world);

        var applied = world.Apply();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        var tags = (await aws.JsonAsync("scheduler", "list-tags-for-resource", "--resource-arn", (string)(await aws.JsonAsync("scheduler", "get-schedule-group", "--name", group))!["Arn"]!))!["Tags"]!.AsArray();
        Assert.True(tags.Any(t => (string?)t!["Key"] == "paas.project" && (string?)t["Value"] == project), tags.ToJsonString());
        Assert.Contains(tags, t => (string?)t!["Key"] == "paas.env" && (string?)t["Value"] == EcsWorld.Environment);
        var schedule = await ScheduleAsync(aws, group, nightly);
        Assert.Equal("cron(30 2 ? * 2,3,4,5,6 *)", (string?)schedule["ScheduleExpression"]); // Monday–Friday in AWS's numbering (SUN=1)
        Assert.Equal(("Europe/Paris", "OFF", "ENABLED"), ((string?)schedule["ScheduleExpressionTimezone"], (string?)schedule["FlexibleTimeWindow"]!["Mode"], (string?)schedule["State"]));
        var target = schedule["Target"]!;
        var cluster = (string)(await aws.JsonAsync("ecs", "describe-clusters", "--clusters", world.Cluster))!["clusters"]![0]!["clusterArn"]!;
        Assert.Equal((cluster, Moto.SchedulerRole, 0), ((string?)target["Arn"], (string?)target["RoleArn"], (int?)target["RetryPolicy"]!["MaximumRetryAttempts"]));
        var parameters = target["EcsParameters"]!;
        Assert.Equal(("FARGATE", 1, "TASK_DEFINITION"), ((string?)parameters["LaunchType"], (int?)parameters["TaskCount"], (string?)parameters["PropagateTags"]));
        Assert.Equal(moto.Subnets, parameters["NetworkConfiguration"]!["awsvpcConfiguration"]!["Subnets"]!.AsArray().Select(s => (string)s!));
        Assert.Equal([moto.SecurityGroup], parameters["NetworkConfiguration"]!["awsvpcConfiguration"]!["SecurityGroups"]!.AsArray().Select(s => (string)s!));
        var family = EcsNames.CronFamily(project, EcsWorld.Environment, "nightly");
        Assert.Matches($@"task-definition/{System.Text.RegularExpressions.Regex.Escape(family)}:\d+$", (string?)parameters["TaskDefinitionArn"]);

        var definition = await DefinitionAsync(aws, (string)parameters["TaskDefinitionArn"]!);
        var service = (await aws.JsonAsync("ecs", "describe-services", "--cluster", world.Cluster, "--services", EcsNames.Service(project, EcsWorld.Environment, "web")))!["services"]![0]!;
        var served = await DefinitionAsync(aws, (string)service["taskDefinition"]!);
        Assert.Equal(((string?)served["cpu"], (string?)served["memory"], Moto.ExecutionRole), ((string?)definition["cpu"], (string?)definition["memory"], (string?)definition["executionRoleArn"]));
        var container = definition["containerDefinitions"]![0]!;
        Assert.Equal((string?)served["containerDefinitions"]![0]!["image"], (string?)container["image"]); // the service's image, by its digest
        Assert.EndsWith("@sha256:1111111111111111111111111111111111111111111111111111111111111111", (string?)container["image"], StringComparison.Ordinal);
        Assert.Equal(["./report", "--daily"], container["command"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("production", (string?)container["environment"]!.AsArray().Single(e => (string?)e!["name"] == "MODE")!["value"]);
        Assert.Equal(SecretArn, (string?)container["secrets"]!.AsArray().Single(e => (string?)e!["name"] == "DATABASE_URL")!["valueFrom"]);
        Assert.True(container["portMappings"] is null or JsonArray { Count: 0 });
        Assert.Null(container["healthCheck"]);
        Assert.Equal("/paas/" + project + "/dev", (string?)container["logConfiguration"]!["options"]!["awslogs-group"]);
        var hourly = await ScheduleAsync(aws, group, EcsNames.Schedule(project, EcsWorld.Environment, "hourly"));
        Assert.Equal(("cron(0 * * * ? *)", "UTC"), ((string?)hourly["ScheduleExpression"], (string?)hourly["ScheduleExpressionTimezone"]));
        Assert.Null((await DefinitionAsync(aws, (string)hourly["Target"]!["EcsParameters"]!["TaskDefinitionArn"]!))["containerDefinitions"]![0]!["command"]); // the image's own command
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", world.Plan().Output, StringComparison.Ordinal);

        // A change: the schedule and the command follow.
        world.EditManifest("schedule: \"30 2 * * 1-5\"", "schedule: \"*/20 6-8 * * *\"");
        world.EditManifest("[\"./report\", \"--daily\"]", "[\"./report\", \"--weekly\"]");
        var changed = world.Plan();
        var updated = world.Apply();

        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Contains("cron nightly changed", changed.Output, StringComparison.Ordinal);
        Assert.True(updated.Output.Contains("EventBridge Scheduler schedules ", StringComparison.Ordinal) && updated.Output.Contains($"{nightly} in group {EcsNames.ScheduleGroup(project, EcsWorld.Environment)}", StringComparison.Ordinal), updated.ToString()); // the journaled step names what it writes
        schedule = await ScheduleAsync(aws, group, nightly);
        Assert.Equal("cron(0/20 6-8 * * ? *)", (string?)schedule["ScheduleExpression"]);
        Assert.Equal(["./report", "--weekly"], (await DefinitionAsync(aws, (string)schedule["Target"]!["EcsParameters"]!["TaskDefinitionArn"]!))["containerDefinitions"]![0]!["command"]!.AsArray().Select(c => (string)c!));
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", world.Plan().Output, StringComparison.Ordinal);

        // The cron removed: its schedule and its family go; the other stays.
        world.WriteManifest(project, Services + Crons[..Crons.IndexOf("  hourly:", StringComparison.Ordinal)].Replace("  nightly:", "  unused:", StringComparison.Ordinal).Replace("service: web", "service: api", StringComparison.Ordinal) + Crons[Crons.IndexOf("  hourly:", StringComparison.Ordinal)..]);
        var removed = world.Apply();

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.True(removed.Output.Contains("delete the schedules of crons nightly and their families", StringComparison.Ordinal), removed.ToString());
        var names = await ScheduleNamesAsync(aws, group);
        Assert.DoesNotContain(nightly, names);
        Assert.Contains(EcsNames.Schedule(project, EcsWorld.Environment, "hourly"), names);
        Assert.Contains(EcsNames.Schedule(project, EcsWorld.Environment, "unused"), names);
        Assert.Empty((await aws.JsonAsync("ecs", "list-task-definitions", "--family-prefix", family))!["taskDefinitionArns"]!.AsArray());
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", world.Plan().Output, StringComparison.Ordinal);

        // The service removed: its crons go with it; api's stays.
        world.WriteManifest(project, "  api:\n    image: registry.example.com/shop/api:1\n    port: 8080\ncrons:\n  unused:\n    service: api\n    schedule: \"30 2 * * 1-5\"\n    timeZone: Europe/Paris\n    command: [\"./report\", \"--daily\"]\n    timeout: 10m\n    concurrency: allow\n");
        var gone = world.Apply();

        Assert.True(gone.ExitCode == 0, gone.ToString());
        Assert.Equal([EcsNames.Schedule(project, EcsWorld.Environment, "unused")], await ScheduleNamesAsync(aws, group));
        Assert.Empty((await aws.JsonAsync("ecs", "list-task-definitions", "--family-prefix", EcsNames.CronFamily(project, EcsWorld.Environment, "hourly")))!["taskDefinitionArns"]!.AsArray());

        // The environment destroyed: its schedule group goes, and the last cron's family with its service.
        var destroyed = world.Paas("destroy", world.AppDirectory, "--env", EcsWorld.Environment, "--yes");

        Assert.True(destroyed.ExitCode == 0, destroyed.ToString());
        Assert.DoesNotContain((await aws.JsonAsync("scheduler", "list-schedule-groups"))!["ScheduleGroups"]!.AsArray(), g => (string?)g!["Name"] == group);
        Assert.Empty((await aws.JsonAsync("ecs", "list-task-definitions", "--family-prefix", EcsNames.CronFamily(project, EcsWorld.Environment, "unused")))!["taskDefinitionArns"]!.AsArray());
    }

    [Fact]
    public async Task A_version_rolled_back_takes_its_cron_changes_back_with_it_so_its_image_never_runs_as_a_cron()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "cron-test-secret-key", registry: false, ct);
        var aws = moto.Cli;
        var (project, group, nightly) = WriteServicesAndCrons(world);
        world.Apply().Succeeded();
        var before = await ScheduleAsync(aws, group, nightly);
        var names = await ScheduleNamesAsync(aws, group);

        // A version whose tasks fail their health check, with a changed cron and a new one: ECS's circuit breaker rolls the service back.
        world.EditManifest("env: { MODE: production }", "env: { MODE: production }\n    health: { path: /missing }");
        world.EditManifest("[\"./report\", \"--daily\"]", "[\"./report\", \"--broken\"]");
        world.EditManifest("  hourly:\n", "  extra:\n    service: web\n    schedule: \"@daily\"\n    concurrency: allow\n  hourly:\n");
        var broken = world.Apply();

        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("put the cron schedules of web back as they were before this version", broken.Output, StringComparison.Ordinal);
        var after = await ScheduleAsync(aws, group, nightly);
        Assert.Equal((string?)before["Target"]!["EcsParameters"]!["TaskDefinitionArn"], (string?)after["Target"]!["EcsParameters"]!["TaskDefinitionArn"]); // the revision it ran, with its image and command
        Assert.Equal(["./report", "--daily"], (await DefinitionAsync(aws, (string)after["Target"]!["EcsParameters"]!["TaskDefinitionArn"]!))["containerDefinitions"]![0]!["command"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(names, await ScheduleNamesAsync(aws, group)); // the new cron is gone again
        Assert.Empty((await aws.JsonAsync("ecs", "list-task-definitions", "--family-prefix", EcsNames.CronFamily(project, EcsWorld.Environment, "extra")))!["taskDefinitionArns"]!.AsArray());
        var plan = world.Plan().Output;
        Assert.DoesNotContain("crons.", plan, StringComparison.Ordinal); // the service's cron tags are the restored schedules': no drift
    }

    [Fact]
    public async Task A_schedule_edited_or_deleted_outside_the_platform_is_drift_in_the_plan_and_the_next_apply_puts_it_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "cron-test-secret-key", registry: false, ct);
        var project = $"c{Guid.NewGuid():N}"[..12];
        var aws = moto.Cli;
        world.WriteManifest(project, Services.Replace("    secrets: [DATABASE_URL]\n", "", StringComparison.Ordinal) + Crons);
        Assert.True(world.Apply().ExitCode == 0);
        var group = EcsNames.ScheduleGroup(project, EcsWorld.Environment);
        var nightly = EcsNames.Schedule(project, EcsWorld.Environment, "nightly");
        var made = await ScheduleAsync(aws, group, nightly);

        // Someone disables it and moves it to noon in the console.
        await aws.RunAsync("scheduler", "update-schedule", "--name", nightly, "--group-name", group, "--schedule-expression", "cron(0 12 * * ? *)",
            "--flexible-time-window", "Mode=OFF", "--state", "DISABLED", "--target", made["Target"]!.ToJsonString());
        var edited = world.Plan();
        var repaired = world.Apply();

        Assert.Contains("crons.nightly", edited.Output, StringComparison.Ordinal);
        Assert.Contains("cron(0 12 * * ? *)", edited.Output, StringComparison.Ordinal);
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        var put = await ScheduleAsync(aws, group, nightly);
        Assert.Equal(("cron(30 2 ? * 2,3,4,5,6 *)", "ENABLED", "Europe/Paris"), ((string?)put["ScheduleExpression"], (string?)put["State"], (string?)put["ScheduleExpressionTimezone"]));
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", world.Plan().Output, StringComparison.Ordinal);

        // Someone deletes it.
        await aws.RunAsync("scheduler", "delete-schedule", "--name", nightly, "--group-name", group);
        var deleted = world.Plan();
        var recreated = world.Apply();

        Assert.True(deleted.Output.Contains($"schedule {nightly} deleted in EventBridge Scheduler", StringComparison.Ordinal), deleted.ToString());
        Assert.True(recreated.ExitCode == 0, recreated.ToString());
        Assert.Equal("cron(30 2 ? * 2,3,4,5,6 *)", (string?)(await ScheduleAsync(aws, group, nightly))["ScheduleExpression"]);
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", world.Plan().Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schedule_group_of_that_name_that_is_not_the_environments_is_refused_and_left_untouched()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "cron-test-secret-key", registry: false, ct);
        var project = $"c{Guid.NewGuid():N}"[..12];
        var aws = moto.Cli;
        var group = EcsNames.ScheduleGroup(project, EcsWorld.Environment);
        await aws.RunAsync("scheduler", "create-schedule-group", "--name", group, "--tags", "Key=paas.project,Value=someone-else", "Key=paas.env,Value=prod");
        world.WriteManifest(project, Services.Replace("    secrets: [DATABASE_URL]\n", "", StringComparison.Ordinal) + Crons);

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.True(applied.ToString().Contains($"schedule group '{group}' already exists and is not {project}/{EcsWorld.Environment}'s", StringComparison.Ordinal), applied.ToString());
        Assert.Empty(await ScheduleNamesAsync(aws, group));
        var tags = (await aws.JsonAsync("scheduler", "list-tags-for-resource", "--resource-arn", (string)(await aws.JsonAsync("scheduler", "get-schedule-group", "--name", group))!["Arn"]!))!["Tags"]!.AsArray();
        Assert.Contains(tags, t => (string?)t!["Key"] == "paas.project" && (string?)t["Value"] == "someone-else");
    }

    /// <summary>A new project's manifest with <see cref="Services"/> and <see cref="Crons"/>, its secret set: the project, its schedule group and nightly's schedule.</summary>
    private static (string Project, string Group, string Nightly) WriteServicesAndCrons(EcsWorld world)
    {
        var project = $"c{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Services + Crons);
        Assert.Equal(0, world.PaasWithInput(SecretArn + "\n", "secrets", "set", project, "DATABASE_URL", "--env", EcsWorld.Environment).ExitCode);
        return (project, EcsNames.ScheduleGroup(project, EcsWorld.Environment), EcsNames.Schedule(project, EcsWorld.Environment, "nightly"));
    }

    private static async Task<JsonNode> ScheduleAsync(AwsCli aws, string group, string name) =>
        (await aws.JsonAsync("scheduler", "get-schedule", "--name", name, "--group-name", group))!;

    private static async Task<List<string>> ScheduleNamesAsync(AwsCli aws, string group) =>
        (await aws.JsonAsync("scheduler", "list-schedules", "--group-name", group))!["Schedules"]!.AsArray().Select(s => (string)s!["Name"]!).ToList();

    private static async Task<JsonNode> DefinitionAsync(AwsCli aws, string revision) =>
        (await aws.JsonAsync("ecs", "describe-task-definition", "--task-definition", revision))!["taskDefinition"]!;
}
