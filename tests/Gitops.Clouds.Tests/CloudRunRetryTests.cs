using System.Diagnostics;
using Gitops.Engine.State;
using Gitops.Providers.Gcp;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// 429 (waiting what Retry-After says) and 503 are retried with jittered backoff until they pass,
/// each object made once; a refusal (400) is not retried; a patch refused for a stale etag reads
/// the service again and succeeds. Faults are the FAKE Cloud Run Admin API's.
/// </summary>
public sealed class CloudRunRetryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Throttled_and_failing_calls_are_retried_honouring_retry_after_and_the_service_is_made_once()
    {
        await using var target = await CloudRunTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        target.Fake.Fail("POST", "/services", (429, 1), (503, null));
        target.Fake.Fail("GET", "/services", (503, null));
        var project = world.NewProject();

        var clock = Stopwatch.StartNew();
        var deployment = await world.ApplyAsync(project, world.Web("web", "1"), Token);

        Assert.True(deployment.Status == DeploymentStatus.Succeeded, deployment.Error);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"the apply took {clock.Elapsed}: Retry-After: 1 was not honoured");
        Assert.Equal(3, target.Fake.Attempts("POST", "/services"));
        Assert.Equal([CloudRunNames.Service(project, ConformanceHarness.Environment, "web")], target.Fake.Services.Ids());
    }

    [Fact]
    public async Task A_refused_call_is_not_retried_and_fails_the_deployment_with_googles_message()
    {
        await using var target = await CloudRunTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        target.Fake.Fail("POST", "/services", (400, null), (400, null));

        var deployment = await world.ApplyAsync(world.NewProject(), world.Web("web", "1"), Token);

        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Contains("INVALID_ARGUMENT: injected 400 for POST", deployment.Error, StringComparison.Ordinal);
        Assert.Equal(1, target.Fake.Attempts("POST", "/services"));
        Assert.Empty(target.Fake.Services.Ids());
    }

    [Fact]
    public async Task A_patch_refused_for_a_stale_etag_reads_the_service_again_and_succeeds()
    {
        await using var target = await CloudRunTarget.StartAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        Assert.Equal(DeploymentStatus.Succeeded, (await world.ApplyAsync(project, world.Web("web", "1"), Token)).Status);
        var id = CloudRunNames.Service(project, ConformanceHarness.Environment, "web");
        target.Fake.Services.ConcurrentEdits = 1;

        var deployment = await world.ApplyAsync(project, world.Web("web", "2"), Token);

        Assert.True(deployment.Status == DeploymentStatus.Succeeded, deployment.Error);
        Assert.Equal(2, target.Fake.Attempts("PATCH", $"/services/{id}"));
        var fingerprint = ConformanceHarness.Desired(project, world.Web("web", "2")).Service("web")!.Fingerprint;
        Assert.All((await world.ObserveAsync(project, Token)).Containers, c => Assert.Equal(fingerprint, c.Fingerprint));
    }
}
