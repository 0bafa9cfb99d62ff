using System.Text.Json.Nodes;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws;
using Gitops.Providers.Docker;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The issue's done-when: samples/hello, its environments on a target of kind ecs named <c>aws</c>,
/// deployed with <c>paas apply</c> on moto. Its build is pushed to a loopback registry standing in
/// for ECR and named by digest. What the platform made is read back with the real aws CLI pointed at
/// moto, never through the driver.
/// </summary>
public sealed class HelloSampleOnEcsTests(Moto moto)
{
    [Fact]
    public async Task The_hello_sample_deploys_a_cluster_task_definition_service_and_target_group_and_a_change_makes_a_new_revision_of_the_service()
    {
        var ct = TestContext.Current.CancellationToken;
        await RequireDockerAsync(ct);
        await using var world = await EcsWorld.StartAsync(moto, "hello-sample-secret-key", registry: true, ct);
        world.CopySample("hello");
        var aws = moto.Cli;
        var name = EcsNames.Service("hello", EcsWorld.Environment, "web");

        var plan = world.Plan();
        var applied = world.Apply();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains("+ ECS service web", plan.Output, StringComparison.Ordinal);
        var cluster = (await aws.JsonAsync("ecs", "describe-clusters", "--clusters", world.Cluster))!["clusters"]![0]!;
        Assert.Equal("ACTIVE", (string?)cluster["status"]);

        var service = await ServiceAsync(aws, world.Cluster, name);
        Assert.Equal("ACTIVE", (string?)service["status"]);
        Assert.Equal("FARGATE", (string?)service["launchType"]);
        Assert.Equal(1, (int?)service["desiredCount"]);
        // Task definition families are the region's, not the cluster's: another test of the sample on the same moto
        // may have registered revisions of this family already, so the change is checked as the next revision.
        var first = (string)service["taskDefinition"]!;
        Assert.Matches($@"task-definition/{System.Text.RegularExpressions.Regex.Escape(name)}:\d+$", first);
        var revision = int.Parse(first[(first.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var vpc = service["networkConfiguration"]!["awsvpcConfiguration"]!;
        Assert.Equal(moto.Subnets, vpc["subnets"]!.AsArray().Select(s => (string)s!));
        Assert.Equal([moto.SecurityGroup], vpc["securityGroups"]!.AsArray().Select(s => (string)s!));
        var balancer = service["loadBalancers"]![0]!;
        Assert.Equal(("app", 8080), ((string?)balancer["containerName"], (int?)balancer["containerPort"]));
        Assert.Contains(service["tags"]!.AsArray(), t => (string?)t!["key"] == "paas.project" && (string?)t["value"] == "hello");

        var definition = await TaskDefinitionAsync(aws, $"{name}:{revision}");
        Assert.Equal(("256", "512", "awsvpc"), ((string?)definition["cpu"], (string?)definition["memory"], (string?)definition["networkMode"])); // 0.25 vCPU, 64Mi: Fargate's smallest size
        Assert.Equal(["FARGATE"], definition["requiresCompatibilities"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(Moto.ExecutionRole, (string?)definition["executionRoleArn"]);
        var container = definition["containerDefinitions"]![0]!;
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(world.RegistryHost)}/paas/hello/web@sha256:[0-9a-f]{{64}}$", (string?)container["image"]); // the build, by the registry's digest
        Assert.Equal(64, (int?)container["memory"]);
        Assert.Equal(8080, (int?)container["portMappings"]![0]!["containerPort"]);
        Assert.Equal("hello", Env(container, "GREETING"));
        Assert.Contains("http://127.0.0.1:8080/healthz", container["healthCheck"]!["command"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("awslogs", (string?)container["logConfiguration"]!["logDriver"]);
        Assert.Equal("/paas/hello/dev", (string?)container["logConfiguration"]!["options"]!["awslogs-group"]);

        var group = (await aws.JsonAsync("elbv2", "describe-target-groups", "--target-group-arns", (string)balancer["targetGroupArn"]!))!["TargetGroups"]![0]!;
        Assert.Equal(("ip", "HTTP", 8080, "/healthz"), ((string?)group["TargetType"], (string?)group["Protocol"], (int?)group["Port"], (string?)group["HealthCheckPath"]));
        var rules = (await aws.JsonAsync("elbv2", "describe-rules", "--listener-arn", moto.Listener))!["Rules"]!.AsArray();
        var rule = rules.Single(r => r!["Actions"]!.AsArray().Any(a => (string?)a!["TargetGroupArn"] == (string?)group["TargetGroupArn"]))!;
        Assert.Contains("web-dev-hello.apps.example.com", rule.ToJsonString(), StringComparison.Ordinal);

        // A change: a new task definition revision, and the service updated onto it.
        world.EditManifest("GREETING: hello", "GREETING: hola");
        var changed = world.Plan();
        var updated = world.Apply();

        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Contains("~ ECS service web", changed.Output, StringComparison.Ordinal);
        Assert.Contains("GREETING", changed.Output, StringComparison.Ordinal);
        var after = await ServiceAsync(aws, world.Cluster, name);
        Assert.EndsWith($"task-definition/{name}:{revision + 1}", (string?)after["taskDefinition"], StringComparison.Ordinal);
        Assert.Equal("hola", Env((await TaskDefinitionAsync(aws, $"{name}:{revision + 1}"))["containerDefinitions"]![0]!, "GREETING"));
        var breaker = after["deploymentConfiguration"]!;
        Assert.Equal((true, true), ((bool?)breaker["deploymentCircuitBreaker"]!["enable"], (bool?)breaker["deploymentCircuitBreaker"]!["rollback"]));
        Assert.Equal((100, 200), ((int?)breaker["minimumHealthyPercent"], (int?)breaker["maximumPercent"]));
        var running = (await aws.JsonAsync("ecs", "list-tasks", "--cluster", world.Cluster, "--desired-status", "RUNNING"))!["taskArns"]!.AsArray();
        var tasks = (await aws.JsonAsync(["ecs", "describe-tasks", "--cluster", world.Cluster, "--tasks", .. running.Select(t => (string)t!)]))!["tasks"]!.AsArray();
        Assert.All(tasks.Where(t => (string?)t!["group"] == $"service:{name}"), t => Assert.EndsWith($"{name}:{revision + 1}", (string?)t!["taskDefinitionArn"], StringComparison.Ordinal));
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", world.Plan().Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_group_detached_in_the_console_is_drift_put_back_and_the_sample_made_private_loses_its_rule_and_target_group()
    {
        var ct = TestContext.Current.CancellationToken;
        await RequireDockerAsync(ct);
        await using var world = await EcsWorld.StartAsync(moto, "hello-sample-secret-key", registry: true, ct);
        world.CopySample("hello");
        var aws = moto.Cli;
        var name = EcsNames.Service("hello", EcsWorld.Environment, "web");
        var first = world.Apply();
        Assert.True(first.ExitCode == 0, first.ToString());
        var group = (string)(await ServiceAsync(aws, world.Cluster, name))["loadBalancers"]![0]!["targetGroupArn"]!;

        // Someone detaches the target group in the console: ECS stops registering the tasks, the site goes dark.
        await aws.RunAsync("ecs", "update-service", "--cluster", world.Cluster, "--service", name, "--load-balancers", "[]");
        var drifted = world.Plan();
        var repaired = world.Apply();

        Assert.Contains("~ route   web: upstreams are not the running replicas (drift)", drifted.Output, StringComparison.Ordinal);
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.Equal(group, (string?)(await ServiceAsync(aws, world.Cluster, name))["loadBalancers"]![0]!["targetGroupArn"]);

        world.EditManifest("public: true", "public: false");
        var plan = world.Plan();
        var applied = world.Apply();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains("- route", plan.Output, StringComparison.Ordinal);
        var service = await ServiceAsync(aws, world.Cluster, name);
        Assert.Equal("ACTIVE", (string?)service["status"]);
        Assert.Empty(service["loadBalancers"]!.AsArray());
        var groups = (await aws.JsonAsync("elbv2", "describe-target-groups"))!["TargetGroups"]!.AsArray();
        Assert.DoesNotContain(groups, g => (string?)g!["TargetGroupArn"] == group);
        var rules = (await aws.JsonAsync("elbv2", "describe-rules", "--listener-arn", moto.Listener))!["Rules"]!.AsArray();
        Assert.DoesNotContain(rules, r => r!.ToJsonString().Contains("web-dev-hello.apps.example.com", StringComparison.Ordinal));
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", world.Plan().Output, StringComparison.Ordinal);
    }

    private static async Task<JsonNode> ServiceAsync(AwsCli aws, string cluster, string name) =>
        (await aws.JsonAsync("ecs", "describe-services", "--cluster", cluster, "--services", name, "--include", "TAGS"))!["services"]![0]!;

    private static async Task<JsonNode> TaskDefinitionAsync(AwsCli aws, string revision) =>
        (await aws.JsonAsync("ecs", "describe-task-definition", "--task-definition", revision))!["taskDefinition"]!;

    private static string? Env(JsonNode container, string name) =>
        (string?)container["environment"]!.AsArray().Single(e => (string?)e!["name"] == name)!["value"];

    /// <summary>The sample builds with Docker (its base image made here from the host's busybox).</summary>
    private static async Task RequireDockerAsync(CancellationToken cancellationToken)
    {
        var endpoint = new EngineEndpoint { Kind = EngineKind.Docker };
        var (version, problem) = await EngineClient.ProbeAsync(endpoint, cancellationToken);
        if (version is null)
        {
            Needs.Missing($"Docker does not answer ({problem}): the hello sample is built before it is deployed");
        }

        using var client = EngineClient.Create(endpoint);
        await LocalBusybox.EnsureAsync(client, EngineKind.Docker, new Progress<string>(), cancellationToken);
    }
}
