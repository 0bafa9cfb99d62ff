using System.Text.Json.Nodes;
using Gitops.Providers.Kubernetes;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// paas plan and apply against a FAKE cluster (<see cref="FakeCluster"/>) as a user runs them:
/// what the plan says about Deployments, a kubectl edit shown as drift and put back, prune, and a
/// rollout that fails and is rolled back.
/// </summary>
public sealed class KubernetesCliTests
{
    internal static string Web(string name, string version, string extra = "", string health = "/hostname") =>
        $"  {name}:\n    image: registry.example.com/shop/{name}:{version}\n    port: 8080\n    health: {{ path: {health}, interval: 1s, timeout: 1s, retries: 2 }}\n{extra}";

    [Fact]
    public async Task A_plan_shows_new_changed_drifted_and_pruned_deployments_and_apply_makes_them_so()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(Web("web", "1") + Web("api", "1"));

        var first = world.Plan();
        var created = world.Apply();
        world.WriteManifest(Web("web", "2") + Web("api", "1"));
        var changed = world.Plan();
        var updated = world.Apply();
        await world.Cluster.User.MustAsync("set", "image", "deployment/web", "app=registry.example.com/evil:1", "-n", world.Namespace);
        var drifted = world.Plan();
        var repaired = world.Apply();
        world.WriteManifest(Web("web", "2"));
        var pruning = world.Plan();
        var pruned = world.Apply();

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("  + deployment web [start 1 replica]: not deployed yet", first.Output, StringComparison.Ordinal);
        Assert.Contains("  + namespace", first.Output, StringComparison.Ordinal);
        Assert.Contains("  ~ deployment web [start 1 replica, remove 1 replica]: image changed", changed.Output, StringComparison.Ordinal);
        Assert.Contains("~ image: \"registry.example.com/shop/web:1\" → \"registry.example.com/shop/web:2\"", changed.Output, StringComparison.Ordinal);
        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Contains("  ~ deployment web: changed outside the platform (drift)", drifted.Output, StringComparison.Ordinal);
        Assert.Contains("~ .spec.template.spec.containers[name=\"app\"].image: \"registry.example.com/evil:1\" → \"registry.example.com/shop/web:2\"", drifted.Output, StringComparison.Ordinal);
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.Contains("  - deployment api", pruning.Output, StringComparison.Ordinal);
        Assert.True(pruned.ExitCode == 0, pruned.ToString());

        var web = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        Assert.Equal("registry.example.com/shop/web:2", (string?)web!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Contains(web["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "paas" && m["fieldsV1"]!.ToJsonString().Contains("\"f:image\"", StringComparison.Ordinal));
        Assert.Null(await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "api"));
        Assert.Null(await world.Cluster.GetAsync(KubeResource.Service, world.Namespace, "api"));
        Assert.False(world.Plan().Output.Contains("deployment web:", StringComparison.Ordinal), "a plan after the repair still has work for web");
    }

    [Fact]
    public async Task A_version_that_never_becomes_ready_is_rolled_back_and_recorded_and_the_old_pods_keep_running()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(Web("web", "1", "    replicas: 2\n"));
        world.Apply().Succeeded();
        var before = PodUids(world);

        world.WriteManifest(Web("web", "2", "    replicas: 2\n", health: "/missing"));
        var broken = world.Apply();
        var history = world.Paas("history", world.AppDirectory, "--env", ClusterWorld.Environment);

        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("unhealthy", broken.Output + broken.Error, StringComparison.Ordinal);
        Assert.Contains("the previous version is back", broken.Output + broken.Error, StringComparison.Ordinal);
        Assert.Matches(@"│ rolledback +│", history.Output);
        var web = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        Assert.Equal("registry.example.com/shop/web:1", (string?)web!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(before, PodUids(world));
    }

    [Fact]
    public async Task A_field_another_tool_applies_is_an_error_naming_it_and_is_not_taken_over()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(Web("web", "1", "    replicas: 2\n"));
        world.Apply().Succeeded();
        var manifest = Path.Combine(world.Cluster.Directory, "replicas.yaml");
        File.WriteAllText(manifest, $"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: {world.Namespace}\nspec:\n  replicas: 2\n");
        await world.Cluster.User.MustAsync("apply", "--server-side", "--field-manager=helm", "-f", manifest);

        world.WriteManifest(Web("web", "1", "    replicas: 3\n"));
        var refused = world.Apply();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(".spec.replicas is owned by another field manager", refused.Output + refused.Error, StringComparison.Ordinal);
        Assert.Contains("helm", refused.Output + refused.Error, StringComparison.Ordinal);
        var web = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        Assert.Equal(2, KubeObserver.Number(web!["spec"]!["replicas"]));
    }

    [Fact]
    public async Task Kubectl_reads_back_every_object_the_driver_applied_with_its_fields_and_manager()
    {
        await using var world = await ClusterWorld.StartAsync(", baseDomain: apps.example.com, ingressClass: nginx");
        var services = Web("web", "1", "    public: true\n    volumes: { data: /data }\n    resources: { cpu: 500m, memory: 128Mi }\n") + Web("api", "1", "    readOnly: true\n");
        world.WriteManifest(services);
        world.Apply().Succeeded();

        var objects = KubeObjects.All(
            GoldenObjectsTests.Desired(services, "apps.example.com", world.Project),
            world.Cluster.Options with { BaseDomain = "apps.example.com", IngressClass = "nginx" },
            _ => null);

        Assert.True(objects.Count >= 8, $"{objects.Count} objects");
        foreach (var item in objects)
        {
            var kind = item.Resource.Group.Length == 0 ? item.Resource.Plural : $"{item.Resource.Plural}.{item.Resource.Group}";
            var args = item.Namespace is null ? new[] { "get", kind, item.Name, "-o", "json" } : ["get", kind, item.Name, "-n", item.Namespace, "-o", "json"];
            var shown = await world.Cluster.User.RunAsync([.. args, "--show-managed-fields"]);
            var live = JsonNode.Parse(shown.ExitCode == 0 ? shown.Output : await world.Cluster.User.MustAsync(args))!.AsObject(); // kubectl before 1.21 shows them unasked and knows no such flag
            AssertContains(item.Value["spec"] ?? item.Value["data"], live["spec"] ?? live["data"], $"{item.Resource.Kind} {item.Name}");
            Assert.Contains(live["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "paas" && (string?)m["operation"] == "Apply");
        }
    }

    [Fact]
    public async Task A_public_service_behind_a_gateway_gets_an_http_route_and_a_second_plan_has_nothing_to_do()
    {
        await using var world = await ClusterWorld.StartAsync(", gateway: infra/public");
        world.Cluster.Server.ServesGatewayApi = true;
        world.WriteManifest(Web("web", "1", "    public: true\n    domains: [shop.example.com]\n"));

        var first = world.Plan();
        var applied = world.Apply();
        var again = world.Plan();

        Assert.Contains("  + route   web: not routed yet: shop.example.com", first.Output, StringComparison.Ordinal);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var route = JsonNode.Parse(await world.Cluster.User.MustAsync("get", "httproutes.gateway.networking.k8s.io", "web", "-n", world.Namespace, "-o", "json"))!;
        Assert.Equal("shop.example.com", (string?)route["spec"]!["hostnames"]![0]);
        Assert.Equal("public", (string?)route["spec"]!["parentRefs"]![0]!["name"]);
        Assert.Equal("infra", (string?)route["spec"]!["parentRefs"]![0]!["namespace"]);
        Assert.Equal("web", (string?)route["spec"]!["rules"]![0]!["backendRefs"]![0]!["name"]);
        Assert.NotNull(await world.Cluster.GetAsync(KubeResource.NetworkPolicy, world.Namespace, "web-public"));
        Assert.Contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete", again.Output, StringComparison.Ordinal);
    }

    /// <summary>Every field of <paramref name="applied"/> is in <paramref name="live"/> with the same value (the server may add defaults).</summary>
    internal static void AssertContains(JsonNode? applied, JsonNode? live, string where)
    {
        switch (applied)
        {
            case null:
                return;
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    AssertContains(value, live?[key], $"{where}.{key}");
                }

                return;
            case JsonArray list:
                var items = live as JsonArray;
                Assert.True(items is not null && items.Count == list.Count, $"{where}: {list.ToJsonString()} vs {live?.ToJsonString()}");
                for (var i = 0; i < list.Count; i++)
                {
                    AssertContains(list[i], items[i], $"{where}[{i}]");
                }

                return;
            default:
                Assert.True(live is not null && applied.ToJsonString().Trim('"') == live.ToJsonString().Trim('"'), $"{where}: applied {applied.ToJsonString()}, the cluster has {live?.ToJsonString()}");
                return;
        }
    }

    private static List<string> PodUids(ClusterWorld world) =>
        [.. world.Cluster.Server.List("Pod", world.Namespace)
            .Where(p => p["metadata"]?["deletionTimestamp"] is null)
            .Select(p => (string)p["metadata"]!["uid"]!)
            .Order(StringComparer.Ordinal)];
}
