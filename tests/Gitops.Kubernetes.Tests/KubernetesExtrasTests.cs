using Gitops.Providers.Kubernetes;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// What a service has beside its pods, against a FAKE cluster: autoscale as an autoscaler, crons as
/// CronJobs, allowFrom as a policy; each planned as an in-place change and removed when the manifest drops it.
/// </summary>
public sealed class KubernetesExtrasTests
{
    private const string Extras = "    autoscale: { min: 2, max: 5, cpu: 60 }\n    allowFrom: [worker]\n";
    private const string Crons = "crons:\n  nightly: { service: web, schedule: \"0 3 * * *\", command: [\"report\"], timeout: 10m, concurrency: forbid }\n";
    private const string Worker = "  worker:\n    image: registry.example.com/shop/worker:1\n";

    [Fact]
    public async Task Deploy_max_surge_is_the_deployments_rolling_surge_and_one_when_unset()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    replicas: 4\n    deploy: { maxSurge: 2 }\n") + Worker);

        world.Apply().Succeeded();
        var web = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        var worker = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "worker");

        Assert.Equal(2, KubeObserver.Number(web!["spec"]!["strategy"]!["rollingUpdate"]!["maxSurge"]));
        Assert.Equal(1, KubeObserver.Number(worker!["spec"]!["strategy"]!["rollingUpdate"]!["maxSurge"]));
    }

    [Fact]
    public async Task Autoscale_crons_and_allow_from_become_objects_and_go_when_the_manifest_drops_them()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(KubernetesCliTests.Web("web", "1", Extras) + Worker + Crons);

        var applied = world.Apply();
        var autoscaler = await world.Cluster.GetAsync(KubeResource.Autoscaler, world.Namespace, "web");
        var cron = await world.Cluster.GetAsync(KubeResource.CronJob, world.Namespace, "cron-nightly");
        var policy = await world.Cluster.GetAsync(KubeResource.NetworkPolicy, world.Namespace, "web-allow-from");
        var deployment = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        var unchanged = world.Plan();
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    replicas: 3\n") + Worker);
        var dropping = world.Plan();
        var dropped = world.Apply();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(5, KubeObserver.Number(autoscaler!["spec"]!["maxReplicas"]));
        Assert.Equal(60, KubeObserver.Number(autoscaler["spec"]!["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]));
        Assert.Equal("0 3 * * *", (string?)cron!["spec"]!["schedule"]);
        Assert.Equal("Forbid", (string?)cron["spec"]!["concurrencyPolicy"]);
        Assert.Equal(600, KubeObserver.Number(cron["spec"]!["jobTemplate"]!["spec"]!["activeDeadlineSeconds"]));
        Assert.Equal("report", (string?)cron["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]![0]);
        Assert.Equal("worker", (string?)policy!["spec"]!["ingress"]![0]!["from"]![0]!["podSelector"]!["matchExpressions"]![0]!["values"]![0]);
        Assert.Equal("true", (string?)deployment!["spec"]!["template"]!["metadata"]!["labels"]![KubeLabels.Restricted]);
        Assert.Null(deployment["metadata"]!["managedFields"]!.AsArray().FirstOrDefault(m => (string?)m!["manager"] == "paas" && m["fieldsV1"]!.ToJsonString().Contains("\"f:replicas\"", StringComparison.Ordinal)));
        Assert.DoesNotContain("deployment web", unchanged.Output, StringComparison.Ordinal);
        Assert.Contains("  ~ deployment web [start 1 replica]: replicas 2 → 3", dropping.Output, StringComparison.Ordinal);
        Assert.Contains("~ autoscale: \"2..5 replicas cpu 60%\" → (none)", dropping.Output, StringComparison.Ordinal);
        Assert.Contains("~ allowFrom: \"[worker]\" → (none)", dropping.Output, StringComparison.Ordinal);
        Assert.Contains("~ cron nightly: ", dropping.Output, StringComparison.Ordinal);
        Assert.True(dropped.ExitCode == 0, dropped.ToString());
        Assert.Null(await world.Cluster.GetAsync(KubeResource.Autoscaler, world.Namespace, "web"));
        Assert.Null(await world.Cluster.GetAsync(KubeResource.CronJob, world.Namespace, "cron-nightly"));
        Assert.Null(await world.Cluster.GetAsync(KubeResource.NetworkPolicy, world.Namespace, "web-allow-from"));
        Assert.Equal(3, KubeObserver.Number((await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web"))!["spec"]!["replicas"]));
    }

    [Fact]
    public async Task Autoscaling_on_latency_is_refused_naming_the_field_and_nothing_is_applied()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    public: true\n    autoscale: { min: 1, max: 3, p95Ms: 200 }\n"));

        var refused = world.Apply();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("services.web.autoscale.p95Ms", refused.Output + refused.Error, StringComparison.Ordinal);
        Assert.Null(await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web"));
    }

    [Fact]
    public async Task A_namespace_of_that_name_made_by_someone_else_is_refused_and_left_as_it_was()
    {
        await using var world = await ClusterWorld.StartAsync();
        var manifest = Path.Combine(world.Cluster.Directory, "ns.yaml");
        File.WriteAllText(manifest, $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {world.Namespace}\n  labels: {{ team: other }}\n");
        await world.Cluster.User.MustAsync("create", "-f", manifest);
        world.WriteManifest(KubernetesCliTests.Web("web", "1"));

        var refused = world.Apply();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"Namespace '{world.Namespace}' already exists and is not {world.Project}/dev's", refused.Output + refused.Error, StringComparison.Ordinal);
        var ns = await world.Cluster.GetAsync(KubeResource.Namespace, null, world.Namespace);
        Assert.Equal("other", (string?)ns!["metadata"]!["labels"]!["team"]);
        Assert.Null(ns["metadata"]!["labels"]![Gitops.Engine.Desired.Labels.Project]);
        Assert.Empty(world.Cluster.Server.List("Deployment", world.Namespace));
    }

    [Fact]
    public async Task Destroy_keeps_the_namespace_with_the_volumes_claims_unless_asked_to_delete_the_volumes()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    volumes: { data: /data }\n"));
        var first = world.Apply();
        Assert.True(first.ExitCode == 0, first.ToString()); // failed twice in full runs (exit 3: namespaces … not found): the claim was made beside its namespace, not after it; the planner now orders them
        var claim = (string)(await world.Cluster.GetAsync(KubeResource.Claim, world.Namespace, "data"))!["metadata"]!["uid"]!;

        var kept = world.Paas("destroy", world.AppDirectory, "--env", ClusterWorld.Environment, "--yes");
        var keptClaim = await world.Cluster.GetAsync(KubeResource.Claim, world.Namespace, "data");
        var again = world.Apply();
        var sameClaim = (string)(await world.Cluster.GetAsync(KubeResource.Claim, world.Namespace, "data"))!["metadata"]!["uid"]!;
        var gone = world.Paas("destroy", world.AppDirectory, "--env", ClusterWorld.Environment, "--yes", "--volumes");

        Assert.True(kept.ExitCode == 0, kept.ToString());
        Assert.NotNull(keptClaim);
        Assert.Empty(world.Cluster.Server.List("Deployment", null));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(claim, sameClaim);
        Assert.True(gone.ExitCode == 0, gone.ToString());
        Assert.Null(await world.Cluster.GetAsync(KubeResource.Namespace, null, world.Namespace));
    }

    [Fact]
    public async Task A_removal_naming_another_projects_instance_is_refused_and_deletes_nothing()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var theirs = new Gitops.Tests.Conformance.ConformanceHarness(new KubernetesTarget(cluster));
        var victim = theirs.NewProject();
        var deployed = await theirs.ApplyAsync(victim, theirs.Web("web", "1"), TestContext.Current.CancellationToken);
        var node = new Gitops.Engine.Planning.PlanNode
        {
            Id = "service/web",
            Kind = Gitops.Engine.Planning.ResourceKind.Service,
            Name = "web",
            Action = Gitops.Engine.Planning.PlanAction.Delete,
            Cause = "not in manifest (prune)",
            Remove = new([KubeNames.Instance(victim, "dev", "web")]),
        };
        var change = new Gitops.Engine.Targets.ServiceChange("attacker", "dev", "d-1", "paas_attacker_dev", node);

        var refused = await Assert.ThrowsAsync<Gitops.Engine.Targets.TargetRefusedException>(() => cluster.Driver.DeleteServiceAsync(change, new NoHost(), TestContext.Current.CancellationToken));

        Assert.Equal(Gitops.Engine.State.DeploymentStatus.Succeeded, deployed.Status);
        Assert.Contains($"is not an instance of attacker/dev", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await cluster.GetAsync(KubeResource.Deployment, cluster.NamespaceOf(victim, "dev"), "web"));
    }

    /// <summary>A rollout host that must never be asked for a step.</summary>
    private sealed class NoHost : Gitops.Engine.Targets.IRolloutHost
    {
        public TimeProvider Clock => TimeProvider.System;

        public Task<Gitops.Engine.Targets.StepResult> StepAsync(Gitops.Engine.Targets.JournaledStep step, Func<CancellationToken, Task<Gitops.Engine.Targets.StepResult>> effect, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"step {step.Action} {step.Target} was attempted");

        public Task SwitchTrafficAsync(Gitops.Engine.Targets.ServiceChange change, IReadOnlyCollection<string> leaving, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Progress(string step, string detail)
        {
        }
    }

    [Fact]
    public async Task A_cluster_that_does_not_answer_is_said_before_anything_is_planned()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(KubernetesCliTests.Web("web", "1"));
        await world.Cluster.Server.DisposeAsync();

        var plan = world.Plan();

        Assert.NotEqual(0, plan.ExitCode);
        Assert.Contains("target 'cluster': the Kubernetes API server at https://127.0.0.1:", plan.Error, StringComparison.Ordinal);
        Assert.Contains("does not answer", plan.Error, StringComparison.Ordinal);
    }
}
