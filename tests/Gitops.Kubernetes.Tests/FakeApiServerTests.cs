using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gitops.Kubernetes.Tests.Fake;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// The fake API server through the official C# client (and raw HTTP where the client hides the
/// protocol): server-side apply ownership and conflicts, watches, selectors, optimistic concurrency,
/// authentication, validation, and the controllers a driver's conformance suite relies on.
/// </summary>
public sealed class FakeApiServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string DeploymentYaml(int? replicas = 2, string image = "web:1", string ns = "default", string extra = "") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {ns}
        spec:
        {(replicas is null ? "" : $"  replicas: {replicas}")}
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
        {extra}
        """;

    private static async Task<(FakeKubernetesApiServer Server, k8s.Kubernetes Client, DirectoryInfo Directory)> StartAsync()
    {
        var server = await FakeKubernetesApiServer.StartAsync(Ct);
        var directory = Directory.CreateTempSubdirectory("fake-api-");
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.FullName)));
        return (server, client, directory);
    }

    /// <summary>Server-side apply through the C# client; its V1Patch writes string content as raw JSON, so the YAML goes as JSON (which is YAML too).</summary>
    private static Task<V1Deployment> ApplyAsync(k8s.Kubernetes client, string yaml, string manager = "paas", bool force = false, string ns = "default") =>
        client.PatchNamespacedDeploymentAsync(new V1Patch(YamlBody.Parse(yaml).ToJsonString(), V1Patch.PatchType.ApplyPatch), "web", ns, fieldManager: manager, force: force, cancellationToken: Ct);

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, FakeKubernetesApiServer server, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"condition not reached; controller error: {server.ControllerError}");
            }

            await Task.Delay(25, Ct);
        }
    }

    [Fact]
    public async Task Apply_creates_then_a_second_manager_conflicts_on_a_changed_field_and_force_takes_it_over()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var created = await ApplyAsync(client, DeploymentYaml(replicas: 2), manager: "paas");
        Assert.Equal(2, created.Spec.Replicas);
        var entry = Assert.Single(created.Metadata.ManagedFields, m => m.Manager == "paas");
        Assert.Equal("Apply", entry.Operation);
        Assert.Equal("FieldsV1", entry.FieldsType);
        var fields = JsonNode.Parse(KubernetesJson.Serialize(entry.FieldsV1))!.AsObject();
        Assert.NotNull(fields.Object("f:spec", "f:replicas"));
        Assert.NotNull(fields.Object("f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}", "f:image"));

        // Same value: shared ownership, no conflict.
        await ApplyAsync(client, DeploymentYaml(replicas: 2), manager: "other");

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(client, DeploymentYaml(replicas: 5), manager: "other"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        var status = JsonNode.Parse(conflict.Response.Content)!.AsObject();
        Assert.Equal("Conflict", status.String("reason"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"paas\": .spec.replicas", status.String("message"));
        var cause = Assert.Single(status.Array("details", "causes").Objects());
        Assert.Equal(".spec.replicas", cause.String("field"));
        Assert.Equal("FieldManagerConflict", cause.String("reason"));

        var forced = await ApplyAsync(client, DeploymentYaml(replicas: 5), manager: "other", force: true);
        Assert.Equal(5, forced.Spec.Replicas);
        var paas = JsonNode.Parse(KubernetesJson.Serialize(forced.Metadata.ManagedFields.Single(m => m.Manager == "paas").FieldsV1))!.AsObject();
        Assert.Null(paas.Object("f:spec", "f:replicas"));
        directory.Delete(true);
    }

    [Fact]
    public async Task Apply_removes_a_field_its_manager_stopped_applying_unless_another_manager_owns_it()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var withLabels = DeploymentYaml().Replace("  namespace: default", "  namespace: default\n  labels:\n    a: one\n    b: two", StringComparison.Ordinal);
        await ApplyAsync(client, withLabels, manager: "paas");
        // Another manager takes "b" with the same value: shared.
        await client.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"labels\":{\"b\":\"two\"}}}", V1Patch.PatchType.ApplyPatch),
            "web", "default", fieldManager: "keeper", cancellationToken: Ct);

        var after = await ApplyAsync(client, DeploymentYaml(replicas: null), manager: "paas");

        Assert.False(after.Metadata.Labels?.ContainsKey("a") ?? false, "a: only paas owned it, so leaving it out removed it");
        Assert.Equal("two", after.Metadata.Labels!["b"]);
        Assert.Equal(1, after.Spec.Replicas); // paas alone owned replicas: removed, then defaulted again
        directory.Delete(true);
    }

    [Fact]
    public async Task Update_by_another_manager_takes_the_field_and_the_applier_then_conflicts()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await ApplyAsync(client, DeploymentYaml(replicas: 2));

        await client.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch), "web", "default", fieldManager: "kubectl-edit", cancellationToken: Ct);

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(client, DeploymentYaml(replicas: 3)));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.replicas", Message(conflict));
        var stored = (await server.GetAsync("/apis/apps/v1/namespaces/default/deployments/web"))!;
        var edit = stored.Array("metadata", "managedFields").Objects().Single(m => m.String("manager") == "kubectl-edit");
        Assert.Equal("Update", edit.String("operation"));
        Assert.NotNull(edit.Object("fieldsV1", "f:spec", "f:replicas"));
        directory.Delete(true);
    }

    [Fact]
    public async Task Watch_through_the_csharp_client_sees_a_deployment_added_then_modified_by_the_controller()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(15));
        var events = new List<(WatchEventType Type, V1Deployment Object)>();
        var reading = Task.Run(
            async () =>
            {
                // The non-obsolete form of ListNamespacedDeploymentWithHttpMessagesAsync(watch: true).Watch<…>(): the same request.
                await foreach (var (type, item) in client.AppsV1.WatchListNamespacedDeploymentAsync("default", cancellationToken: stop.Token))
                {
                    lock (events)
                    {
                        events.Add((type, item));
                    }

                    if (item.Status?.AvailableReplicas == 2)
                    {
                        return;
                    }
                }
            },
            stop.Token);

        await Task.Delay(200, Ct);
        await ApplyAsync(client, DeploymentYaml(replicas: 2));
        await reading.WaitAsync(stop.Token);

        lock (events)
        {
            Assert.Equal(WatchEventType.Added, events[0].Type);
            Assert.Contains(events, e => e.Type == WatchEventType.Modified && e.Object.Status?.ObservedGeneration == 1);
        }

        directory.Delete(true);
    }

    [Fact]
    public async Task Watch_from_a_resource_version_replays_later_events_and_honours_a_field_selector()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(Ct);
        using var http = Raw(server);
        var before = server.ResourceVersion;
        await PostConfigMapAsync(http, "one");
        await PostConfigMapAsync(http, "two");

        var url = $"api/v1/namespaces/default/configmaps?watch=true&resourceVersion={before}&fieldSelector=metadata.name%3Dtwo&timeoutSeconds=1";
        var lines = (await http.GetStringAsync(url, Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var only = Assert.Single(lines);
        var change = JsonNode.Parse(only)!.AsObject();
        Assert.Equal("ADDED", change.String("type"));
        Assert.Equal("two", change.String("object", "metadata", "name"));
    }

    [Fact]
    public async Task Label_selectors_filter_lists_with_every_operator()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(Ct);
        using var http = Raw(server);
        await PostConfigMapAsync(http, "a", "\"app\":\"web\",\"tier\":\"front\"");
        await PostConfigMapAsync(http, "b", "\"app\":\"web\",\"tier\":\"back\"");
        await PostConfigMapAsync(http, "c", "\"app\":\"db\"");

        async Task<string> Names(string selector)
        {
            var list = JsonNode.Parse(await http.GetStringAsync($"api/v1/namespaces/default/configmaps?labelSelector={Uri.EscapeDataString(selector)}", Ct))!.AsObject();
            return string.Join(",", list.Array("items").Objects().Select(i => i.Name()));
        }

        Assert.Equal("a,b", await Names("app=web"));
        Assert.Equal("a,b", await Names("app==web"));
        Assert.Equal("c", await Names("app!=web"));
        Assert.Equal("a", await Names("tier in (front),app in (web, db)"));
        Assert.Equal("a,b,c", await Names("app in (web,db)"));
        Assert.Equal("b,c", await Names("tier notin (front)"));
        Assert.Equal("a,b", await Names("tier"));
        Assert.Equal("c", await Names("!tier"));
        Assert.Equal("b", await Names("app=web,tier!=front"));
    }

    [Fact]
    public async Task Put_with_a_stale_resource_version_is_a_conflict_and_a_current_one_succeeds()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var created = await client.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["k"] = "1" } }, "default", cancellationToken: Ct);
        created.Data["k"] = "2";
        var updated = await client.ReplaceNamespacedConfigMapAsync(created, "settings", "default", cancellationToken: Ct);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        created.Data["k"] = "3";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => client.ReplaceNamespacedConfigMapAsync(created, "settings", "default", cancellationToken: Ct));

        Assert.True(conflict.Response.StatusCode == HttpStatusCode.Conflict, conflict.Response.Content);
        Assert.StartsWith("Operation cannot be fulfilled on configmaps \"settings\": the object has been modified", Message(conflict), StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<HttpOperationException>(() => client.CreateNamespacedConfigMapAsync(created, "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
        Assert.Contains("\"reason\":\"AlreadyExists\"", again.Response.Content, StringComparison.Ordinal);
        directory.Delete(true);
    }

    [Fact]
    public async Task Requests_without_the_bearer_token_get_a_401_status()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.GetAsync("api/v1/namespaces", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
        Assert.Equal("Status", status.String("kind"));
        Assert.Equal("Unauthorized", status.String("reason"));
        Assert.Equal(401, status.Long("code"));
    }

    [Fact]
    public async Task Objects_in_a_namespace_that_does_not_exist_are_not_found()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(client, DeploymentYaml(ns: "nowhere"), ns: "nowhere"));

        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("namespaces \\\"nowhere\\\" not found", missing.Response.Content, StringComparison.Ordinal);
        directory.Delete(true);
    }

    [Fact]
    public async Task Invalid_objects_are_refused_with_the_real_field_paths()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var mismatched = DeploymentYaml().Replace("      labels:\n        app: web", "      labels:\n        app: other", StringComparison.Ordinal);

        var invalid = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(client, mismatched));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.Response.StatusCode);
        Assert.Contains("spec.template.metadata.labels", invalid.Response.Content, StringComparison.Ordinal);
        Assert.Contains("`selector` does not match template `labels`", invalid.Response.Content, StringComparison.Ordinal);

        var noImage = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(client, DeploymentYaml().Replace("        image: web:1\n", "", StringComparison.Ordinal)));
        Assert.Contains("spec.template.spec.containers[0].image: Required value", noImage.Response.Content, StringComparison.Ordinal);

        var badName = await Assert.ThrowsAsync<HttpOperationException>(() => client.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "Bad_Name" } }, cancellationToken: Ct));
        Assert.Contains("a lowercase RFC 1123 label", badName.Response.Content, StringComparison.Ordinal);
        directory.Delete(true);
    }

    [Fact]
    public async Task Deployment_becomes_available_quickly_with_ready_pods_and_a_revision()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var started = DateTime.UtcNow;
        await ApplyAsync(client, DeploymentYaml(replicas: 2));

        var deployment = await EventuallyAsync(() => client.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct), d => d.Status?.AvailableReplicas == 2, server);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), $"took {DateTime.UtcNow - started}");
        Assert.Equal("1", deployment.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Available" && c.Status == "True");
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable");
        var rs = Assert.Single((await client.ListNamespacedReplicaSetAsync("default", cancellationToken: Ct)).Items);
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        var pods = (await client.ListNamespacedPodAsync("default", labelSelector: $"pod-template-hash={hash}", cancellationToken: Ct)).Items;
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Matches($"^web-{hash}-[a-z0-9]{{5}}$", p.Metadata.Name);
            Assert.Equal("Running", p.Status.Phase);
            Assert.StartsWith("10.244.", p.Status.PodIP, StringComparison.Ordinal);
            Assert.True(p.Status.ContainerStatuses.Single().Ready);
        });
        Assert.NotEqual(pods[0].Status.PodIP, pods[1].Status.PodIP);
        directory.Delete(true);
    }

    [Fact]
    public async Task Rolling_update_with_max_unavailable_zero_keeps_every_replica_ready_throughout()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        const string Strategy = "  strategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0";
        await ApplyAsync(client, DeploymentYaml(replicas: 3, extra: Strategy));
        await EventuallyAsync(() => client.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct), d => d.Status?.AvailableReplicas == 3, server);
        server.Kubelet = pod => PodOutcome.Ready(TimeSpan.FromMilliseconds(300));

        await ApplyAsync(client, DeploymentYaml(replicas: 3, image: "web:2", extra: Strategy));
        var lowest = int.MaxValue;
        var highest = 0;
        await EventuallyAsync(
            () =>
            {
                var pods = server.List("Pod", "default");
                lowest = Math.Min(lowest, pods.Count(p => p.Array("status", "conditions").Objects().Any(c => c.String("type") == "Ready" && c.String("status") == "True")));
                highest = Math.Max(highest, pods.Count);
                return client.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct);
            },
            d => d.Status is { } s && s.ObservedGeneration == d.Metadata.Generation && s.UpdatedReplicas == 3 && s.AvailableReplicas == 3 && s.Replicas == 3,
            server);

        Assert.True(lowest >= 3, $"ready pods fell to {lowest}");
        Assert.True(highest <= 4, $"pods rose to {highest} with maxSurge 1");
        Assert.All(server.List("Pod", "default"), p => Assert.Equal("web:2", p.Array("spec", "containers").Objects().Single().String("image")));
        directory.Delete(true);
    }

    [Fact]
    public async Task Pod_deleted_behind_the_controllers_back_is_replaced()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await ApplyAsync(client, DeploymentYaml(replicas: 2));
        await EventuallyAsync(() => client.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct), d => d.Status?.AvailableReplicas == 2, server);
        var victim = server.List("Pod", "default")[0].Name();

        await client.DeleteNamespacedPodAsync(victim, "default", cancellationToken: Ct);

        var pods = await EventuallyAsync(() => Task.FromResult(server.List("Pod", "default")), p => p.Count == 2 && p.All(x => x.Name() != victim), server);
        Assert.DoesNotContain(pods, p => p.Name() == victim);
        directory.Delete(true);
    }

    [Fact]
    public async Task Missing_runtime_class_refuses_pods_and_the_replica_set_reports_replica_failure()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await ApplyAsync(client, DeploymentYaml(replicas: 1).Replace("      containers:", "      runtimeClassName: gvisor\n      containers:", StringComparison.Ordinal));

        var rs = await EventuallyAsync(
            async () => (await client.ListNamespacedReplicaSetAsync("default", cancellationToken: Ct)).Items.FirstOrDefault(),
            r => r?.Status?.Conditions?.Any(c => c.Type == "ReplicaFailure") == true,
            server);

        var failure = rs!.Status.Conditions.Single(c => c.Type == "ReplicaFailure");
        Assert.Equal("FailedCreate", failure.Reason);
        Assert.Contains("pod rejected: RuntimeClass \"gvisor\" not found", failure.Message, StringComparison.Ordinal);
        Assert.Empty(server.List("Pod", "default"));

        server.AddRuntimeClass("gvisor");
        await EventuallyAsync(() => client.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct), d => d.Status?.AvailableReplicas == 1, server);
        directory.Delete(true);
    }

    [Fact]
    public async Task Unpullable_image_waits_in_image_pull_back_off_and_a_missing_liveness_path_restarts()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await ApplyAsync(client, DeploymentYaml(replicas: 1, image: "does-not-exist:1"));

        var pod = await EventuallyAsync(
            async () => (await client.ListNamespacedPodAsync("default", cancellationToken: Ct)).Items.FirstOrDefault(),
            p => p?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ImagePullBackOff",
            server);
        Assert.Equal("Pending", pod!.Status.Phase);

        await client.DeleteNamespacedDeploymentAsync("web", "default", cancellationToken: Ct);
        var liveness = DeploymentYaml(replicas: 1).Replace("        image: web:1", "        image: web:1\n        livenessProbe:\n          httpGet:\n            path: /missing\n            port: 8080", StringComparison.Ordinal);
        await ApplyAsync(client, liveness);
        var restarting = await EventuallyAsync(
            async () => (await client.ListNamespacedPodAsync("default", cancellationToken: Ct)).Items.FirstOrDefault(),
            p => p?.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount >= 1,
            server,
            TimeSpan.FromSeconds(5));
        Assert.False(restarting!.Status.ContainerStatuses.Single().Ready);
        Assert.Contains(restarting.Status.Conditions, c => c.Type == "Ready" && c.Status == "False");
        directory.Delete(true);
    }

    [Fact]
    public async Task Secret_string_data_is_stored_as_base64_data()
    {
        var (server, client, directory) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        await client.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["password"] = "hunter2" } }, "default", cancellationToken: Ct);

        var stored = (await server.GetAsync("/api/v1/namespaces/default/secrets/s"))!;
        Assert.Null(stored["stringData"]);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("hunter2")), stored.String("data", "password"));
        Assert.Equal("Opaque", stored.String("type"));
        directory.Delete(true);
    }

    [Fact]
    public async Task Status_subresource_writes_only_status_and_main_writes_ignore_status()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(Ct);
        using var http = Raw(server);
        await PostConfigMapAsync(http, "unused");
        using var created = await http.PostAsync("api/v1/namespaces/default/services", Json("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{\"port\":80}]},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"1.2.3.4\"}]}}}"), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var service = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!.AsObject();
        Assert.Null(service.Array("status", "loadBalancer", "ingress"));
        Assert.StartsWith("10.96.", service.String("spec", "clusterIP"), StringComparison.Ordinal);

        using var patched = await http.PatchAsync("api/v1/namespaces/default/services/web/status", MergePatch("{\"spec\":{\"type\":\"NodePort\"},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"1.2.3.4\"}]}}}"), Ct);
        var after = JsonNode.Parse(await patched.Content.ReadAsStringAsync(Ct))!.AsObject();
        Assert.Equal("ClusterIP", after.String("spec", "type"));
        Assert.Equal("1.2.3.4", after.Array("status", "loadBalancer", "ingress").Objects().Single().String("ip"));
    }

    [Fact]
    public async Task Json_patch_and_strategic_merge_patch_change_what_they_name()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(Ct);
        using var http = Raw(server);
        using var apply = await http.PatchAsync("apis/apps/v1/namespaces/default/deployments/web?fieldManager=paas", new StringContent(DeploymentYaml(), Encoding.UTF8, "application/apply-patch+yaml"), Ct);
        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);

        using var strategic = await http.PatchAsync(
            "apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl-set",
            Content("{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"web\"}],\"containers\":[{\"name\":\"web\",\"image\":\"web:2\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}]}}}}", "application/strategic-merge-patch+json"),
            Ct);
        var afterStrategic = JsonNode.Parse(await strategic.Content.ReadAsStringAsync(Ct))!.AsObject();
        var container = afterStrategic.Array("spec", "template", "spec", "containers").Objects().Single();
        Assert.Equal("web:2", container.String("image"));
        Assert.Equal("A", container.Array("env").Objects().Single().String("name"));
        Assert.Equal(2, afterStrategic.Long("metadata", "generation"));

        using var jsonPatch = await http.PatchAsync(
            "apis/apps/v1/namespaces/default/deployments/web",
            Content("[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4},{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"x\":\"y\"}}]", "application/json-patch+json"),
            Ct);
        var afterJsonPatch = JsonNode.Parse(await jsonPatch.Content.ReadAsStringAsync(Ct))!.AsObject();
        Assert.Equal(4, afterJsonPatch.Long("spec", "replicas"));
        Assert.Equal("y", afterJsonPatch.String("metadata", "labels", "x"));
        var manager = afterJsonPatch.Array("metadata", "managedFields").Objects().Select(m => m.String("manager")).ToList();
        Assert.Contains("kubectl-set", manager);
    }

    [Fact]
    public async Task Gateway_api_and_runtime_classes_are_discoverable_as_configured()
    {
        await using var server = await FakeKubernetesApiServer.StartAsync(Ct);
        using var http = Raw(server);
        Assert.DoesNotContain("gateway.networking.k8s.io", await http.GetStringAsync("apis", Ct), StringComparison.Ordinal);
        using (var absent = await http.GetAsync("apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        }

        server.ServesGatewayApi = true;
        Assert.Contains("gateway.networking.k8s.io", await http.GetStringAsync("apis", Ct), StringComparison.Ordinal);
        Assert.Contains("\"HTTPRoute\"", await http.GetStringAsync("apis/gateway.networking.k8s.io/v1", Ct), StringComparison.Ordinal);

        server.AddRuntimeClass("gvisor");
        var classes = JsonNode.Parse(await http.GetStringAsync("apis/node.k8s.io/v1/runtimeclasses", Ct))!.AsObject();
        Assert.Equal("gvisor", classes.Array("items").Objects().Single().Name());
        var resources = JsonNode.Parse(await http.GetStringAsync("apis/apps/v1", Ct))!.AsObject();
        var scale = resources.Array("resources").Objects().Single(r => r.String("name") == "deployments/scale");
        Assert.Equal("Scale", scale.String("kind"));
        Assert.Equal("autoscaling", scale.String("group"));
    }

    private static string? Message(HttpOperationException e) => JsonNode.Parse(e.Response.Content)!.AsObject().String("message");

    private static HttpClient Raw(FakeKubernetesApiServer server)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
        return http;
    }

    private static async Task PostConfigMapAsync(HttpClient http, string name, string labels = "")
    {
        using var response = await http.PostAsync("api/v1/namespaces/default/configmaps", Json($"{{\"metadata\":{{\"name\":\"{name}\",\"labels\":{{{labels}}}}}}}"), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static StringContent Json(string text) => Content(text, "application/json");

    private static StringContent MergePatch(string text) => Content(text, "application/merge-patch+json");

    private static StringContent Content(string text, string mediaType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
