using System.Globalization;
using Gitops.Engine.Targets;
using Gitops.Providers.Kubernetes;
using Gitops.Tests.Conformance;

namespace Gitops.Kubernetes.Tests;

/// <summary>The conformance suite against the Kubernetes driver and a FAKE API server (<see cref="FakeCluster"/>).</summary>
public sealed class KubernetesConformanceTests : TargetConformance
{
    protected override async Task<ITargetUnderTest> OpenAsync() => new KubernetesTarget(await FakeCluster.StartAsync());
}

/// <summary>
/// The fake cluster as the suite's target. Its pods run no image: the fake's kubelet makes a pod
/// ready unless its readiness probe asks for a path under /missing, which is the contract the
/// suite's image has on real engines (200 for /hostname, 404 under /missing).
/// </summary>
internal sealed class KubernetesTarget(FakeCluster cluster) : ITargetUnderTest
{
    public ITargetDriver Driver => cluster.Driver;

    public string Image => "registry.example.com/conformance/httpd:1";

    public string Command => "[\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]";

    /// <summary>Like Swarm: the environment (create only), applying the Deployment, then waiting for its rollout.</summary>
    public int StepsOf(string change) => change == "create" ? 3 : 2;

    /// <summary>A pod deleted by hand comes back (its ReplicaSet makes another): someone scales the Deployment down instead, as kubectl scale does.</summary>
    public async Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken)
    {
        var (project, environment, service) = KubeNames.Parse(instance)!.Value;
        var ns = cluster.NamespaceOf(project, environment);
        var deployment = await cluster.GetAsync(KubeResource.Deployment, ns, service);
        var replicas = KubeObserver.Number(deployment!["spec"]!["replicas"]) - 1;
        await cluster.User.MustAsync("scale", "deployment", service, "-n", ns, $"--replicas={replicas.ToString(CultureInfo.InvariantCulture)}");
        for (var i = 0; i < 100 && cluster.Server.List("Pod", ns).Count(p => p["metadata"]?["deletionTimestamp"] is null) > replicas; i++)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    public Task CleanUpAsync(string project, CancellationToken cancellationToken) => Task.CompletedTask; // the fake goes with the test

    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}
