using System.Net;
using Gitops.Engine.State;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Throttling (429, ThrottlingException) and server failures (5xx) are retried with the platform's
/// jittered backoff until they pass; a refusal (4xx) is not retried and fails the deployment with
/// AWS's message. The faults are injected under the signer; everything else is moto.
/// </summary>
public sealed class AwsRetryTests(Moto moto)
{
    private static readonly (HttpStatusCode, string) Throttled = (HttpStatusCode.BadRequest, "ThrottlingException");
    private static readonly (HttpStatusCode, string) TooMany = ((HttpStatusCode)429, "TooManyRequestsException");
    private static readonly (HttpStatusCode, string) Unavailable = (HttpStatusCode.ServiceUnavailable, "ServiceUnavailableException");

    [Fact]
    public async Task Throttled_and_failing_calls_are_retried_until_they_pass_and_each_object_is_made_once()
    {
        moto.Require();
        var ct = TestContext.Current.CancellationToken;
        var faults = new AwsFaults(new Dictionary<string, (HttpStatusCode, string)[]>
        {
            ["RegisterTaskDefinition"] = [Throttled, TooMany],
            ["CreateService"] = [Unavailable, Throttled],
            ["CreateLogGroup"] = [TooMany],
            ["DescribeServices"] = [Unavailable],
        });
        await using var target = new EcsTarget(moto, inner: faults.Handler);
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();

        var deployment = await world.ApplyAsync(project, world.Web("web", "1"), ct);

        Assert.True(deployment.Status == DeploymentStatus.Succeeded, deployment.Error);
        Assert.Equal((3, 3), (faults.Attempts("RegisterTaskDefinition"), faults.Attempts("CreateService")));
        var family = Gitops.Providers.Aws.EcsNames.Service(project, ConformanceHarness.Environment, "web");
        Assert.Single((await moto.Cli.JsonAsync("ecs", "list-task-definitions", "--family-prefix", family))!["taskDefinitionArns"]!.AsArray());
        Assert.Single((await moto.Cli.JsonAsync("ecs", "list-services", "--cluster", target.Cluster))!["serviceArns"]!.AsArray());
    }

    [Fact]
    public async Task Throttled_and_failing_eventbridge_scheduler_calls_are_retried_until_they_pass_and_the_schedule_is_made_once()
    {
        moto.Require();
        var ct = TestContext.Current.CancellationToken;
        var faults = new AwsFaults(new Dictionary<string, (HttpStatusCode, string)[]>
        {
            ["GET /schedule-groups"] = [TooMany],
            ["POST /schedules"] = [Throttled, Unavailable],
        });
        await using var target = new EcsTarget(moto, inner: faults.Handler, configure: o => o with { SchedulerRole = Moto.SchedulerRole });
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();

        var deployment = await world.ApplyAsync(project, world.Web("web", "1") + "crons:\n  nightly: { service: web, schedule: \"0 2 * * *\", concurrency: allow }\n", ct);

        Assert.True(deployment.Status == DeploymentStatus.Succeeded, deployment.Error);
        Assert.Equal(3, faults.Attempts("POST /schedules"));
        var group = Gitops.Providers.Aws.EcsNames.ScheduleGroup(project, ConformanceHarness.Environment);
        Assert.Single((await moto.Cli.JsonAsync("scheduler", "list-schedules", "--group-name", group))!["Schedules"]!.AsArray());
    }

    [Fact]
    public async Task A_refused_call_is_not_retried_and_fails_the_deployment_with_aws_message()
    {
        moto.Require();
        var ct = TestContext.Current.CancellationToken;
        var refused = (HttpStatusCode.BadRequest, "InvalidParameterException");
        var faults = new AwsFaults(new Dictionary<string, (HttpStatusCode, string)[]> { ["CreateService"] = [refused, refused, refused] });
        await using var target = new EcsTarget(moto, inner: faults.Handler);
        await using var world = new ConformanceHarness(target);

        var deployment = await world.ApplyAsync(world.NewProject(), world.Web("web", "1"), ct);

        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Contains("aws ecs CreateService: InvalidParameterException: injected InvalidParameterException for CreateService (attempt 1)", deployment.Error, StringComparison.Ordinal);
        Assert.Equal(1, faults.Attempts("CreateService"));
        Assert.Empty((await moto.Cli.JsonAsync("ecs", "list-services", "--cluster", target.Cluster))!["serviceArns"]!.AsArray());
    }
}
