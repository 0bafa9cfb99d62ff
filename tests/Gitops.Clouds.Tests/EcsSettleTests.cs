using Gitops.Engine.State;
using Gitops.Providers.Aws;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The tests' way past moto's never-completing deployments (<c>settle: running-tasks-test-only</c>)
/// weakens nothing in production: with the default <c>settle: deployment</c>, tasks that run are not
/// enough, only ECS's own COMPLETED is, so on moto the rollout times out and is undone.
/// </summary>
public sealed class EcsSettleTests(Moto moto)
{
    [Fact]
    public async Task With_the_production_settle_running_tasks_are_not_enough_and_a_rollout_ecs_never_completes_is_undone()
    {
        moto.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var target = new EcsTarget(moto, configure: o => o with { Settle = EcsSettle.Deployment, RolloutTimeoutSeconds = 3 });
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();

        var deployment = await world.ApplyAsync(project, world.Web("web", "1"), ct);

        Assert.False(target.Options.TrustsRunningTasks);
        Assert.NotEqual(DeploymentStatus.Succeeded, deployment.Status);
        Assert.Contains("ECS did not finish the rollout in 3 s", deployment.Error, StringComparison.Ordinal);
        Assert.Contains("removed again", deployment.Error, StringComparison.Ordinal); // a first revision's service goes
        var name = EcsNames.Service(project, ConformanceHarness.Environment, "web");
        var service = (await moto.Cli.JsonAsync("ecs", "describe-services", "--cluster", target.Cluster, "--services", name, "--include", "TAGS"))!["services"]![0]!;
        Assert.NotEqual("ACTIVE", (string?)service["status"]); // deleted (moto still lists and describes it, as DRAINING or INACTIVE)
        Assert.Empty((await world.ObserveAsync(project, ct)).Containers);
    }
}
