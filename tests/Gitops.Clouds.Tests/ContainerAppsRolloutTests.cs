using System.Text.Json.Nodes;
using Gitops.Engine.State;
using Gitops.Providers.Azure;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Container Apps' rollouts as the platform waits on them, on the FAKE Azure Resource Manager: a revision
/// that turns unhealthy leaves the previous revision serving with the previous template put back and the
/// deployment rolled back with the reason; a rollout past the timeout is given up the same way; an app of
/// the platform's name that is not the environment's is refused and left as it was.
/// </summary>
public sealed class ContainerAppsRolloutTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unhealthy_new_revision_leaves_the_previous_template_serving_and_the_deployment_rolled_back()
    {
        await using var target = await ContainerAppsTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var first = world.Web("web", "1", replicas: 2);
        Assert.Equal(DeploymentStatus.Succeeded, (await world.ApplyAsync(project, first, Token)).Status);
        var name = ContainerAppsNames.App(project, ConformanceHarness.Environment, "web");
        var before = target.Fake.Apps.Peek(name)!;
        var serving = (string)before["properties"]!["latestReadyRevisionName"]!;
        target.Fake.Apps.Readiness = _ => "Container 'app' was terminated with exit code '1'.";

        var broken = await world.ApplyAsync(project, world.Web("web", "2", replicas: 2), Token);

        Assert.Equal(DeploymentStatus.RolledBack, broken.Status);
        Assert.Contains("is unhealthy", broken.Error, StringComparison.Ordinal);
        Assert.Contains("exit code '1'", broken.Error, StringComparison.Ordinal);
        Assert.Contains($"its previous template is back ({serving})", broken.Error, StringComparison.Ordinal);
        var after = target.Fake.Apps.Peek(name)!;
        Assert.Equal(serving, (string?)after["properties"]!["latestReadyRevisionName"]);
        Assert.Equal(serving, (string?)after["properties"]!["latestRevisionName"]);
        Assert.Equal(before["properties"]!["template"]!.ToJsonString(), after["properties"]!["template"]!.ToJsonString());
        var fingerprint = ConformanceHarness.Desired(project, first).Service("web")!.Fingerprint;
        Assert.Equal(fingerprint, (string?)after["tags"]!["paas.fingerprint"]);
        var observed = await world.ObserveAsync(project, Token);
        Assert.Equal(2, observed.Containers.Count(c => c.Running && c.Fingerprint == fingerprint && c.Id.StartsWith(serving, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_rollout_past_the_targets_timeout_is_given_up_and_the_previous_revision_keeps_serving()
    {
        await using var target = await ContainerAppsTarget.StartAsync(configure: o => o with { RolloutTimeoutSeconds = 1 });
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        Assert.Equal(DeploymentStatus.Succeeded, (await world.ApplyAsync(project, world.Web("web", "1"), Token)).Status);
        var name = ContainerAppsNames.App(project, ConformanceHarness.Environment, "web");
        var serving = (string)target.Fake.Apps.Peek(name)!["properties"]!["latestReadyRevisionName"]!;
        target.Fake.Apps.Stalled = true; // revisions never settle: neither healthy nor failed

        var slow = await world.ApplyAsync(project, world.Web("web", "2"), Token);

        Assert.Equal(DeploymentStatus.RolledBack, slow.Status);
        Assert.Contains("did not finish the rollout in 1 s", slow.Error, StringComparison.Ordinal);
        Assert.Equal(serving, (string?)target.Fake.Apps.Peek(name)!["properties"]!["latestReadyRevisionName"]);
    }

    [Fact]
    public async Task An_app_of_the_platforms_name_without_ownership_tags_is_refused_and_left_untouched()
    {
        await using var target = await ContainerAppsTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var name = ContainerAppsNames.App(project, ConformanceHarness.Environment, "web");
        await target.Fake.ConsoleAsync(HttpMethod.Put, Fake.FakeContainerApps.PathOf(name), new JsonObject
        {
            ["location"] = Fake.FakeContainerApps.Location,
            ["tags"] = new JsonObject { ["team"] = "someone-else" },
            ["properties"] = new JsonObject
            {
                ["environmentId"] = target.Options.EnvironmentId,
                ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "someone/else:1" }) },
            },
        }, Token);
        var before = Written(target.Fake.Apps.Peek(name)!);

        var deployment = await world.ApplyAsync(project, world.Web("web", "1"), Token);

        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Contains($"container app '{name}' already exists and is not {project}/{ConformanceHarness.Environment}'s (it has no paas.* ownership labels)", deployment.Error, StringComparison.Ordinal);
        Assert.Equal(before, Written(target.Fake.Apps.Peek(name)!));
        Assert.DoesNotContain(target.Fake.Calls, c => c.Method != "GET");
        Assert.Empty((await world.ObserveAsync(project, Token)).Containers);
    }

    /// <summary>What only a write changes (a read settles a revision: that is Container Apps' doing, not the platform's).</summary>
    private static string Written(JsonObject app) =>
        $"{app["tags"]?.ToJsonString()}\n{app["identity"]?.ToJsonString()}\n{app["properties"]?["configuration"]?.ToJsonString()}\n{app["properties"]?["template"]?.ToJsonString()}";
}
