using System.Text.Json.Nodes;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Providers.Kubernetes;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// The pod policy at the one place objects reach the cluster: a Deployment asking for any
/// forbidden pod setting is refused with the setting named, and nothing of it reaches the (FAKE)
/// cluster, whatever built it.
/// </summary>
public sealed class KubernetesPolicyTests
{
    public static TheoryData<string, string> Attacks() => new()
    {
        { "privileged", "privileged mode" },
        { "hostPath", "host path '/'" },
        { "hostNetwork", "host network" },
        { "hostPID", "host PID namespace" },
        { "hostIPC", "host IPC namespace" },
        { "addedCapability", "capability SYS_ADMIN" },
        { "privilegeEscalation", "privilege escalation is not turned off" },
        { "capabilitiesKept", "capabilities are not all dropped" },
        { "hostPort", "host port 80" },
        { "noMemoryLimit", "no memory limit" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_deployment_with_a_forbidden_pod_setting_is_refused_and_never_reaches_the_cluster(string attack, string named)
    {
        await using var cluster = await FakeCluster.StartAsync();
        var desired = GoldenObjectsTests.Desired(KubernetesCliTests.Web("web", "1"), null);
        var scope = KubeScope.For("shop", "dev", cluster.Options);
        await cluster.Driver.EnsureEnvironmentAsync("shop", "dev", desired.Network, TestContext.Current.CancellationToken);
        var deployment = KubeObjects.Service(scope, desired.Service("web")!, null, cluster.Options).Single(o => o.Resource == KubeResource.Deployment).Value;
        Tamper(deployment["spec"]!["template"]!["spec"]!.AsObject(), attack);
        using var api = new KubeCluster(new k8s.Kubernetes(KubernetesProvider.Configuration(cluster.Options)));
        var before = cluster.Server.RequestCount;

        var refused = await Assert.ThrowsAsync<PolicyViolationException>(() => api.ApplyAsync(KubeResource.Deployment, deployment, new HashSet<string>(), TestContext.Current.CancellationToken));

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, cluster.Server.RequestCount);
        Assert.Null(await cluster.GetAsync(KubeResource.Deployment, scope.Namespace, "web"));
    }

    [Fact]
    public async Task The_deployment_the_driver_builds_passes_the_policy_and_the_cluster_rolls_it_out()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var desired = GoldenObjectsTests.Desired(KubernetesCliTests.Web("web", "1", "    readOnly: true\n"), null);
        var scope = KubeScope.For("shop", "dev", cluster.Options);
        await cluster.Driver.EnsureEnvironmentAsync("shop", "dev", desired.Network, TestContext.Current.CancellationToken);
        var deployment = KubeObjects.Service(scope, desired.Service("web")!, null, cluster.Options).Single(o => o.Resource == KubeResource.Deployment).Value;
        var pod = k8s.KubernetesJson.Deserialize<k8s.Models.V1Deployment>(deployment.ToJsonString()).Spec.Template.Spec;
        using var api = new KubeCluster(new k8s.Kubernetes(KubernetesProvider.Configuration(cluster.Options)));

        await api.ApplyAsync(KubeResource.Deployment, deployment, new HashSet<string>(), TestContext.Current.CancellationToken);

        Assert.Empty(KubePolicy.Check(pod));
        Assert.Equal(["ALL"], pod.Containers[0].SecurityContext.Capabilities.Drop);
        Assert.False(pod.Containers[0].SecurityContext.AllowPrivilegeEscalation);
        Assert.False(pod.AutomountServiceAccountToken);
        await cluster.User.MustAsync("rollout", "status", "deployment/web", "-n", scope.Namespace, "--timeout=20s");
    }

    [Fact]
    public async Task Sandbox_gvisor_fails_closed_on_a_cluster_without_the_runtime_class_and_runs_on_one_with_it()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    sandbox: gvisor\n"));

        var refused = world.Apply();
        world.Cluster.Server.AddRuntimeClass(KubeWorkload.SandboxRuntimeClass);
        var sandboxed = world.Apply();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("RuntimeClass", refused.Output + refused.Error, StringComparison.Ordinal);
        Assert.True(sandboxed.ExitCode == 0, sandboxed.ToString());
        var web = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        Assert.Equal("gvisor", (string?)web!["spec"]!["template"]!["spec"]!["runtimeClassName"]);
    }

    private static void Tamper(JsonObject pod, string attack)
    {
        var container = pod["containers"]![0]!.AsObject();
        var security = container["securityContext"]!.AsObject();
        switch (attack)
        {
            case "privileged": security["privileged"] = true; break;
            case "hostPath": pod["volumes"] = new JsonArray(new JsonObject { ["name"] = "root", ["hostPath"] = new JsonObject { ["path"] = "/" } }); break;
            case "hostNetwork": pod["hostNetwork"] = true; break;
            case "hostPID": pod["hostPID"] = true; break;
            case "hostIPC": pod["hostIPC"] = true; break;
            case "addedCapability": security["capabilities"]!["add"]!.AsArray().Add("SYS_ADMIN"); break;
            case "privilegeEscalation": security["allowPrivilegeEscalation"] = true; break;
            case "capabilitiesKept": security["capabilities"]!.AsObject().Remove("drop"); break;
            case "hostPort": container["ports"]![0]!["hostPort"] = 80; break;
            case "noMemoryLimit": container["resources"]!.AsObject().Remove("limits"); break;
            default: throw new ArgumentOutOfRangeException(nameof(attack), attack, null);
        }
    }
}
