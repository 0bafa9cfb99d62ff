using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>A manifest asking its target for something the target cannot do is refused by name before anything runs (on the FAKE target).</summary>
public sealed class CapabilityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-capability-").FullName;

    [Fact]
    public async Task A_sandboxed_service_on_a_target_without_a_sandbox_is_refused_naming_the_field_and_the_kind()
    {
        var target = new FakeContainerTarget();

        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    sandbox: gvisor\n"));

        Assert.Contains("services.web.sandbox", refused.Message, StringComparison.Ordinal);
        Assert.Contains("gvisor", refused.Message, StringComparison.Ordinal);
        Assert.Contains("kind fake", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers);
    }

    [Fact]
    public async Task Autoscale_and_allowFrom_are_refused_on_a_target_that_can_do_neither_naming_each_field()
    {
        var target = new FakeContainerTarget(DockerLike with { Autoscaling = false, AllowFrom = false });

        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    autoscale: { min: 1, max: 4, cpu: 70 }\n    allowFrom: [api]\n  api:\n    image: nginx:1.27\n"));

        Assert.Contains("services.web.autoscale: web asks to scale between 1 and 4 replicas by load, which this environment's target (kind fake) cannot do", refused.Message, StringComparison.Ordinal);
        Assert.Contains("services.web.allowFrom", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers);
    }

    [Fact]
    public async Task Autoscale_on_cpu_is_planned_on_a_target_the_platform_scales_and_on_requests_refused_where_no_ingress_counts_them()
    {
        var target = new FakeContainerTarget(DockerLike with { Autoscaling = true });

        var planned = await PlanAsync(target, "    autoscale: { min: 2, max: 4, cpu: 70 }\n");
        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    port: 80\n    public: true\n    autoscale: { min: 1, max: 4, rps: 50 }\n"));

        Assert.Equal(2, planned.Plan.Nodes.Single(n => n.Id == "service/web").Start.Count);
        Assert.Contains("services.web.autoscale.rps: requests are counted at the platform's ingress, and this platform has none", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers);
    }

    [Fact]
    public async Task Max_surge_is_refused_where_the_platform_rolls_out_every_new_replica_first()
    {
        var target = new FakeContainerTarget(DockerLike with { Rollout = RolloutOwner.Platform });

        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    replicas: 3\n    deploy: { maxSurge: 1 }\n"));
        var planned = await PlanAsync(target, "    replicas: 3\n");

        Assert.Contains("services.web.deploy.maxSurge: on a fake target every new replica starts and passes its health check before an old one stops, so all 3 run beside the old ones", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, planned.Plan.Nodes.Single(n => n.Id == "service/web").Start.Count);
    }

    [Fact]
    public async Task Volumes_and_secrets_are_refused_on_a_target_that_keeps_neither()
    {
        var target = new FakeContainerTarget(new TargetCapabilities { Volumes = false, Secrets = false });

        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    volumes: { data: /data }\n    secrets: [TOKEN]\n"));

        Assert.Contains("services.web.volumes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("services.web.secrets", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placement_is_refused_on_a_target_that_does_not_place_replicas_on_nodes()
    {
        var target = new FakeContainerTarget(DockerLike);

        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    placement: [\"node.labels.zone == eu\"]\n"));

        Assert.Contains("services.web.placement", refused.Message, StringComparison.Ordinal);
        Assert.Contains("kind fake", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers);
    }

    [Fact]
    public async Task Placement_is_planned_on_a_target_that_places_replicas_and_changing_it_replaces_the_service()
    {
        var target = new FakeContainerTarget(DockerLike with { Placement = true });

        var prepared = await PlanAsync(target, "    placement: [\"node.labels.zone == eu\"]\n");

        var web = Assert.Single(prepared.Plan.Nodes, n => n.Id == "service/web");
        Assert.Equal(["node.labels.zone == eu"], web.Desired!.Spec.Placement!);
        var moved = web.Desired.Spec with { Placement = new Gitops.Schema.Model.ValueList<string>(["node.labels.zone == us"]) };
        Assert.Contains(Gitops.Engine.Planning.SpecDiff.Between(web.Desired.Spec, moved), c => c.Field == "placement");
        Assert.NotEqual(Gitops.Engine.Desired.Fingerprint.Of(web.Desired.Spec), Gitops.Engine.Desired.Fingerprint.Of(moved));
        // Without placement the spec serializes as before the field existed, so no running service's fingerprint moved.
        Assert.DoesNotContain("placement", System.Text.Json.JsonSerializer.Serialize(web.Desired.Spec with { Placement = null }, Gitops.Engine.Desired.Fingerprint.Canonical), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cron_is_refused_on_a_target_that_neither_schedules_jobs_nor_runs_the_platforms_and_planned_where_either_does()
    {
        const string cron = "crons:\n  nightly:\n    service: web\n    schedule: \"@daily\"\n";
        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(new FakeContainerTarget(DockerLike), cron));
        var platformRuns = await PlanAsync(new FakeContainerTarget(DockerLike with { Jobs = true }), cron);
        var targetRuns = await PlanAsync(new FakeContainerTarget(DockerLike with { ScheduledJobs = true }), cron);

        Assert.Contains("crons.nightly: this environment's target (kind fake) can neither schedule jobs nor run the one-off containers the platform's scheduler starts, so the cron would never run", refused.Message, StringComparison.Ordinal);
        Assert.Equal("nightly", Assert.Single(platformRuns.Desired.Service("web")!.Extras.Crons).Name);
        Assert.Equal("nightly", Assert.Single(targetRuns.Desired.Service("web")!.Extras.Crons).Name);
    }

    [Fact]
    public async Task A_template_service_and_its_dependents_are_refused_on_a_target_that_gives_secrets_as_files()
    {
        var target = new FakeContainerTarget(DockerLike with { SecretsAsFiles = true, UserNames = true });

        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    dependsOn: [db]\n  db: { template: postgres }\n"));

        Assert.Contains("services.db: it receives POSTGRES_PASSWORD from a template service, and a fake target gives secrets as files", refused.Message, StringComparison.Ordinal);
        Assert.Contains("services.web: it receives DATABASE_URL, PGPASSWORD from a template service", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers);
    }

    [Fact]
    public async Task A_user_name_is_refused_where_the_target_runs_numeric_ids_only_and_a_uid_is_planned()
    {
        var target = new FakeContainerTarget(DockerLike);

        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => PlanAsync(target, "    user: nginx\n"));
        var planned = await PlanAsync(target, "    user: \"101:101\"\n");

        Assert.Contains("services.web.user: a fake target runs processes as numeric ids only; give UID or UID:GID instead of 'nginx'", refused.Message, StringComparison.Ordinal);
        Assert.Equal("101:101", planned.Desired.Service("web")!.Spec.User);
    }

    [Fact]
    public async Task The_same_service_is_planned_on_a_target_that_can()
    {
        var target = new FakeContainerTarget(DockerLike);

        var prepared = await PlanAsync(target, "    sandbox: gvisor\n    volumes: { data: /data }\n");

        Assert.Contains(prepared.Plan.Nodes, n => n.Id == "service/web");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static TargetCapabilities DockerLike => new() { Volumes = true, Secrets = true, Sandbox = true, NetworkPolicy = true };

    private async Task<PreparedPlan> PlanAsync(FakeContainerTarget target, string extra)
    {
        var app = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("N"))).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("N")), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName; // the platform refuses a data directory others can enter
        await File.WriteAllTextAsync(Path.Combine(app, "paas.yaml"), Scenario.Header + "services:\n  web:\n    image: nginx:1.27\n" + extra, TestContext.Current.CancellationToken);
        var tree = new DirectoryTree(app);
        using var state = StateStore.Open(data);
        new SecretStore(state).Set("shop", null, "TOKEN", "a-value-the-plan-never-shows");
        var deployer = new Deployer(target, new NoImages(), state, new SecretStore(state), new Progress<ExecutorEvent>(), new Progress<string>());
        return await deployer.PlanAsync(tree, tree.LoadManifest().ForEnvironment("dev"), "dev", TestContext.Current.CancellationToken);
    }

    internal sealed class NoImages : IImageBuilder
    {
        public Task<BuiltImage> EnsureBuiltAsync(string project, string service, string tag, BuildContextFiles context, BuildSpec build, IProgress<string> log, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("nothing is built in these tests");

        public Task<string?> EnsureStarterBaseAsync(IProgress<string> log, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        // The fake target has every image it is asked for, from no registry.
        public Task<string?> EnsurePresentAsync(string image, Gitops.Engine.Images.RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task<string> PushAsync(string local, string remote, Gitops.Engine.Images.RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("nothing is pushed in these tests");
    }
}
