using System.Text.Json.Nodes;
using Gitops.Kubernetes.Tests.Fake;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// The real kubectl against the fake API server: discovery, server-side apply, table output,
/// rollout status over watches, scale, set image, namespace deletion. If kubectl works, the fake
/// speaks the protocol the driver's client speaks.
/// </summary>
public sealed class KubectlAgainstTheFakeTests
{
    private static string Deployment(string ns = "default", int replicas = 2, string image = "web:1", string extra = "") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {ns}
          labels:
            app: web
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: web
                image: {image}
                ports:
                - containerPort: 8080
        {extra}
        """;

    private static void Succeeded(KubectlResult result) => Assert.True(result.ExitCode == 0, result.ToString());

    [Fact]
    public async Task Server_side_apply_creates_a_deployment_that_rolls_out_and_lists_as_tables()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(server);
        var file = kubectl.WriteFile("deployment.yaml", Deployment());

        var apply = await kubectl.RunAsync("apply", "--server-side", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("deployment.apps/web serverside-applied", apply.Output, StringComparison.Ordinal);

        var json = await kubectl.RunAsync("get", "deploy", "web", "-o", "json", "--show-managed-fields");
        Assert.True(json.ExitCode == 0, json.ToString());
        var deployment = JsonNode.Parse(json.Output)!.AsObject();
        var managers = deployment.Array("metadata", "managedFields").Objects().ToList();
        Assert.Contains(managers, m => m.String("manager") == "kubectl" && m.String("operation") == "Apply");

        var rollout = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=20s");
        Assert.True(rollout.ExitCode == 0, rollout.ToString());
        Assert.Contains("successfully rolled out", rollout.Output, StringComparison.Ordinal);

        var deployments = await kubectl.RunAsync("get", "deployments");
        Assert.True(deployments.ExitCode == 0, deployments.ToString());
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", deployments.Output);
        Assert.Matches(@"web\s+2/2\s+2\s+2\s+", deployments.Output);

        var pods = await kubectl.RunAsync("get", "pods", "-l", "app=web", "-o", "name");
        Assert.True(pods.ExitCode == 0, pods.ToString());
        Assert.Equal(2, pods.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("pod/web-", StringComparison.Ordinal)));

        var table = await kubectl.RunAsync("get", "pods", "-l", "app=web");
        Assert.Matches(@"web-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0", table.Output);
    }

    [Fact]
    public async Task Apply_by_another_manager_conflicts_with_kubectl_scale_until_forced()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(server);
        var file = kubectl.WriteFile("deployment.yaml", Deployment());
        Succeeded(await kubectl.RunAsync("apply", "--server-side", "-f", file));

        var scale = await kubectl.RunAsync("scale", "deployment", "web", "--replicas=3");
        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.Equal(3, (await server.GetAsync("/apis/apps/v1/namespaces/default/deployments/web"))!.Long("spec", "replicas"));

        var conflict = await kubectl.RunAsync("apply", "--server-side", "--field-manager=paas", "-f", file);
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("conflict with \"kubectl\"", conflict.Error, StringComparison.Ordinal);
        Assert.Contains(".spec.replicas", conflict.Error, StringComparison.Ordinal);

        var forced = await kubectl.RunAsync("apply", "--server-side", "--field-manager=paas", "--force-conflicts", "-f", file);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        var deployment = (await server.GetAsync("/apis/apps/v1/namespaces/default/deployments/web"))!;
        Assert.Equal(2, deployment.Long("spec", "replicas"));
        var owners = deployment.Array("metadata", "managedFields").Objects()
            .Where(m => m.Object("fieldsV1", "f:spec", "f:replicas") is not null).Select(m => m.String("manager")).ToList();
        Assert.Equal("paas", Assert.Single(owners)); // forcing took .spec.replicas from kubectl's scale
    }

    [Fact]
    public async Task Set_image_makes_a_new_replica_set_and_the_rollout_completes()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(server);
        Succeeded(await kubectl.RunAsync("apply", "--server-side", "-f", kubectl.WriteFile("d.yaml", Deployment())));
        Succeeded(await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=20s"));

        var set = await kubectl.RunAsync("set", "image", "deployment/web", "web=other:2");
        Assert.True(set.ExitCode == 0, set.ToString());
        var rollout = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=20s");
        Assert.True(rollout.ExitCode == 0, rollout.ToString());

        var sets = server.List("ReplicaSet", "default");
        Assert.Equal(2, sets.Count);
        var current = Assert.Single(sets, rs => rs.Long("spec", "replicas") == 2);
        Assert.Equal("other:2", current.Array("spec", "template", "spec", "containers").Objects().Single().String("image"));
        Assert.Equal("2", current.String("metadata", "annotations", "deployment.kubernetes.io/revision"));
        var deployment = (await server.GetAsync("/apis/apps/v1/namespaces/default/deployments/web"))!;
        Assert.Equal("2", deployment.String("metadata", "annotations", "deployment.kubernetes.io/revision"));
        Assert.All(server.List("Pod", "default"), pod => Assert.StartsWith(current.Name() + "-", pod.Name(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollout_status_fails_once_a_never_ready_deployment_exceeds_its_progress_deadline()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(server);
        var yaml = Deployment(replicas: 1).Replace("        - containerPort: 8080", """
                    - containerPort: 8080
                    readinessProbe:
                      httpGet:
                        path: /missing
                        port: 8080
            """, StringComparison.Ordinal).Replace("  replicas: 1", "  replicas: 1\n  progressDeadlineSeconds: 2", StringComparison.Ordinal);
        Succeeded(await kubectl.RunAsync("apply", "--server-side", "-f", kubectl.WriteFile("d.yaml", yaml)));

        var rollout = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=20s");

        Assert.NotEqual(0, rollout.ExitCode);
        Assert.Contains("exceeded its progress deadline", rollout.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_everything_in_it_and_a_watch_sees_pods_added()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(server);
        Succeeded(await kubectl.RunAsync("create", "-f", kubectl.WriteFile("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n")));

        var watching = kubectl.WatchUntilAsync(
            text => text.Split('\n').Count(l => l.StartsWith("ADDED", StringComparison.Ordinal) && l.Contains("web-", StringComparison.Ordinal)) >= 2,
            TimeSpan.FromSeconds(20),
            "get", "pods", "-n", "x", "-w", "--output-watch-events");
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Succeeded(await kubectl.RunAsync("apply", "--server-side", "-f", kubectl.WriteFile("d.yaml", Deployment(ns: "x"))));
        var watched = await watching;
        Assert.True(watched.Split('\n').Count(l => l.StartsWith("ADDED", StringComparison.Ordinal) && l.Contains("web-", StringComparison.Ordinal)) >= 2, watched);

        Succeeded(await kubectl.RunAsync("rollout", "status", "-n", "x", "deployment/web", "--timeout=20s"));
        var delete = await kubectl.RunAsync("delete", "namespace", "x");
        Assert.True(delete.ExitCode == 0, delete.ToString());

        Assert.Empty(server.List("Deployment", "x"));
        Assert.Empty(server.List("ReplicaSet", "x"));
        Assert.Empty(server.List("Pod", "x"));
        var gone = await kubectl.RunAsync("get", "namespace", "x");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.Error, StringComparison.Ordinal);
    }
}
