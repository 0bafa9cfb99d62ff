using System.Text.Json.Nodes;
using Gitops.Engine.State;
using Gitops.Providers.Gcp;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Cloud Run's rollouts as the platform waits on them, on the FAKE Cloud Run Admin API: a revision
/// that never becomes ready leaves all traffic pinned on the previous one and the deployment rolled
/// back with Cloud Run's message; a service of the platform's name that is not the environment's
/// is refused and left as it was.
/// </summary>
public sealed class CloudRunRolloutTests
{
    private static readonly string[] WrittenFields = ["etag", "generation", "labels", "annotations", "template", "scaling", "traffic"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_revision_that_fails_to_become_ready_leaves_the_previous_revision_serving_all_traffic_and_the_deployment_rolled_back()
    {
        await using var target = await CloudRunTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var first = world.Web("web", "1", replicas: 2);
        Assert.Equal(DeploymentStatus.Succeeded, (await world.ApplyAsync(project, first, Token)).Status);
        var id = CloudRunNames.Service(project, ConformanceHarness.Environment, "web");
        var serving = Short((string)target.Fake.Services.Peek(id)!["latestReadyRevision"]!);
        target.Fake.Readiness = _ => "Container called exit(1).";

        var broken = await world.ApplyAsync(project, world.Web("web", "2", replicas: 2), Token);

        Assert.Equal(DeploymentStatus.RolledBack, broken.Status);
        Assert.Contains("Container called exit(1).", broken.Error, StringComparison.Ordinal);
        Assert.Contains($"all traffic is back on its previous revision {serving}", broken.Error, StringComparison.Ordinal);
        var service = target.Fake.Services.Peek(id)!;
        Assert.Equal(new JsonArray(new JsonObject { ["type"] = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", ["percent"] = 100, ["revision"] = serving }).ToJsonString(), service["traffic"]!.ToJsonString());
        Assert.NotEqual(serving, Short((string)service["latestCreatedRevision"]!));
        var observed = await world.ObserveAsync(project, Token);
        var fingerprint = ConformanceHarness.Desired(project, first).Service("web")!.Fingerprint;
        Assert.Equal(2, observed.Containers.Count(c => c.Running && c.Fingerprint == fingerprint && c.Id.StartsWith(serving, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_rollout_past_the_targets_timeout_is_given_up_and_the_previous_revision_keeps_all_traffic()
    {
        await using var target = await CloudRunTarget.StartAsync(configure: o => o with { RolloutTimeoutSeconds = 1 });
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        Assert.Equal(DeploymentStatus.Succeeded, (await world.ApplyAsync(project, world.Web("web", "1"), Token)).Status);
        var id = CloudRunNames.Service(project, ConformanceHarness.Environment, "web");
        var serving = Short((string)target.Fake.Services.Peek(id)!["latestReadyRevision"]!);
        target.Fake.Services.Stalled = true; // revisions never settle: neither ready nor failed

        var slow = await world.ApplyAsync(project, world.Web("web", "2"), Token);

        Assert.Equal(DeploymentStatus.RolledBack, slow.Status);
        Assert.Contains("did not finish the rollout in 1 s", slow.Error, StringComparison.Ordinal);
        Assert.Equal(serving, (string?)target.Fake.Services.Peek(id)!["traffic"]![0]!["revision"]);
    }

    [Fact]
    public async Task A_service_of_the_platforms_name_without_ownership_labels_is_refused_and_left_untouched()
    {
        await using var target = await CloudRunTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var id = CloudRunNames.Service(project, ConformanceHarness.Environment, "web");
        await target.Fake.ConsoleAsync(HttpMethod.Post, $"v2/projects/{Fake.FakeCloudRun.Project}/locations/{Fake.FakeCloudRun.Region}/services?serviceId={id}", new JsonObject
        {
            ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["image"] = "someone/else:1" }) },
        }, Token);
        var before = Written(target.Fake.Services.Peek(id)!);

        var deployment = await world.ApplyAsync(project, world.Web("web", "1"), Token);

        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Contains($"Cloud Run service '{id}' already exists and is not {project}/{ConformanceHarness.Environment}'s (it has no paas.* ownership labels)", deployment.Error, StringComparison.Ordinal);
        Assert.Equal(before, Written(target.Fake.Services.Peek(id)!));
        Assert.DoesNotContain(target.Fake.Calls, c => c.Method != "GET");
        Assert.Empty((await world.ObserveAsync(project, Token)).Containers);
    }

    /// <summary>What only a write changes (a read settles a revision: that is Cloud Run's doing, not the platform's).</summary>
    private static string Written(JsonObject service) =>
        string.Join("\n", WrittenFields.Select(f => $"{f}: {service[f]?.ToJsonString()}"));

    private static string Short(string revision) => revision[(revision.LastIndexOf('/') + 1)..];
}
