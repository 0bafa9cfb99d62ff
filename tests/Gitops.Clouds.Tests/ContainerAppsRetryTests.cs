using System.Diagnostics;
using Gitops.Engine.State;
using Gitops.Providers.Azure;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// 429 (waiting what Retry-After says) and 503 are retried with jittered backoff until they pass, each
/// app made once; a refusal (400) is not retried; a PUT refused for a stale etag (412) reads the app
/// again and succeeds. Faults are the FAKE Azure Resource Manager's.
/// </summary>
public sealed class ContainerAppsRetryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Throttled_and_failing_calls_are_retried_honouring_retry_after_and_the_app_is_made_once()
    {
        await using var target = await ContainerAppsTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var name = ContainerAppsNames.App(project, ConformanceHarness.Environment, "web");
        target.Fake.Fail("PUT", $"/containerApps/{name}", (429, 1), (503, null));
        target.Fake.Fail("GET", "/containerApps", (503, null));

        var clock = Stopwatch.StartNew();
        var deployment = await world.ApplyAsync(project, world.Web("web", "1"), Token);

        Assert.True(deployment.Status == DeploymentStatus.Succeeded, deployment.Error);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"the apply took {clock.Elapsed}: Retry-After: 1 was not honoured");
        Assert.Equal(3, target.Fake.Attempts("PUT", $"/containerApps/{name}"));
        Assert.Equal([name], target.Fake.Apps.Names());
    }

    [Fact]
    public async Task A_refused_call_is_not_retried_and_fails_the_deployment_with_arms_message()
    {
        await using var target = await ContainerAppsTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var name = ContainerAppsNames.App(project, ConformanceHarness.Environment, "web");
        target.Fake.Fail("PUT", $"/containerApps/{name}", (400, null), (400, null));

        var deployment = await world.ApplyAsync(project, world.Web("web", "1"), Token);

        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Contains("InvalidRequestContent: injected 400 for PUT", deployment.Error, StringComparison.Ordinal);
        Assert.Equal(1, target.Fake.Attempts("PUT", $"/containerApps/{name}"));
        Assert.Empty(target.Fake.Apps.Names());
    }

    [Fact]
    public async Task A_put_refused_for_a_stale_etag_reads_the_app_again_and_succeeds()
    {
        await using var target = await ContainerAppsTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        Assert.Equal(DeploymentStatus.Succeeded, (await world.ApplyAsync(project, world.Web("web", "1"), Token)).Status);
        var name = ContainerAppsNames.App(project, ConformanceHarness.Environment, "web");
        target.Fake.Apps.ConcurrentEdits = 1;

        var deployment = await world.ApplyAsync(project, world.Web("web", "2"), Token);

        Assert.True(deployment.Status == DeploymentStatus.Succeeded, deployment.Error);
        Assert.Equal(3, target.Fake.Attempts("PUT", $"/containerApps/{name}")); // the create, the stale replace, the replace after reading again
        var fingerprint = ConformanceHarness.Desired(project, world.Web("web", "2")).Service("web")!.Fingerprint;
        Assert.All((await world.ObserveAsync(project, Token)).Containers, c => Assert.Equal(fingerprint, c.Fingerprint));
    }
}
