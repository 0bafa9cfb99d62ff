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
/// The same suite with every environment in one namespace the cluster's admin made (the target's
/// <c>namespace:</c>): objects told apart by labels and hashed names, never by the namespace.
/// </summary>
public sealed class KubernetesSharedNamespaceConformanceTests : TargetConformance
{
    protected override async Task<ITargetUnderTest> OpenAsync()
    {
        var cluster = await FakeCluster.StartAsync(new KubernetesOptions { Namespace = "team-a" });
        var manifest = Path.Combine(cluster.Directory, "team-a.yaml");
        await File.WriteAllTextAsync(manifest, "apiVersion: v1\nkind: Namespace\nmetadata: { name: team-a }\n");
        await cluster.User.MustAsync("create", "-f", manifest);
        return new KubernetesTarget(cluster);
    }
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
        var scope = KubeScope.For(project, environment, cluster.Options);
        var name = KubeNames.Object(scope, service);
        var deployment = await cluster.GetAsync(KubeResource.Deployment, scope.Namespace, name);
        var replicas = KubeObserver.Number(deployment!["spec"]!["replicas"]) - 1;
        await cluster.User.MustAsync("scale", "deployment", name, "-n", scope.Namespace, $"--replicas={replicas.ToString(CultureInfo.InvariantCulture)}");
        for (var i = 0; i < 100 && Pods(scope, service) > replicas; i++)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    public Task CleanUpAsync(string project, CancellationToken cancellationToken) => Task.CompletedTask; // the fake goes with the test

    private int Pods(KubeScope scope, string service) => cluster.Server.List("Pod", scope.Namespace)
        .Count(p => p["metadata"]?["deletionTimestamp"] is null && (string?)p["metadata"]?["labels"]?[Gitops.Engine.Desired.Labels.Project] == scope.Project
            && (string?)p["metadata"]?["labels"]?[Gitops.Engine.Desired.Labels.Service] == service);

    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}
