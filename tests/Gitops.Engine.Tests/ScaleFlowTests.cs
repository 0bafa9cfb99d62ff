using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Scaling;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Tests;

/// <summary>
/// The autoscaler's change on the FAKE target, through the real deployer and executor: it runs what
/// runs at the new count, is kept by the next plan of the same commit, and is looked past by the
/// loop and by rollbacks (it is not a version). The real engines' run is in the integration tests.
/// </summary>
public sealed class ScaleFlowTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-scaleflow-").FullName;
    private readonly List<PlatformEvent> _events = [];

    [Fact]
    public async Task A_scale_runs_what_runs_at_the_new_count_and_the_next_plan_of_the_commit_keeps_it()
    {
        var (state, target, tree, deployer) = Setup();
        using (state)
        {
            await ApplyAsync(deployer, tree, "git one");
            var autoscaler = Autoscaler(state, target);

            var up = await autoscaler.ScaleAsync(new EnvironmentScale("shop", "dev", "local", [new ScaleDecision("web", 1, 3, "busy")]), TestContext.Current.CancellationToken);
            var running = (await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers.Count(c => c.Running);
            var again = await deployer.PlanAsync(tree, tree.LoadManifest().ForEnvironment("dev"), "dev", TestContext.Current.CancellationToken);
            var down = await autoscaler.ScaleAsync(new EnvironmentScale("shop", "dev", "local", [new ScaleDecision("web", 3, 1, "idle for 10 s")]), TestContext.Current.CancellationToken);
            var left = (await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers.Where(c => c.Running).Select(c => c.Replica).ToList();

            Assert.Equal((DeploymentStatus.Succeeded, true, "autoscale: web 1 → 3 (busy)"), (up.Status, up.Autoscaled, up.Trigger));
            Assert.Equal(3, running);
            Assert.False(again.Plan.HasChanges, Planning.PlanText.Render(again.Plan)); // the commit's plan runs the autoscaler's count, not min
            Assert.Equal(DeploymentStatus.Succeeded, down.Status);
            Assert.Equal([1], left); // the replicas above the count went
            Assert.Equal(1, new ScaleRecords(state).Replicas("shop", "dev")["web"]);
            Assert.Equal(["up 1 → 3: busy", "down 3 → 1: idle for 10 s"], _events.Where(e => e.Name == PlatformEvent.ServiceScaled).Select(e => e.Detail));
        }
    }

    [Fact]
    public async Task Rollbacks_and_the_loop_look_past_the_autoscalers_deployments()
    {
        var (state, target, tree, deployer) = Setup();
        using (state)
        {
            var first = await ApplyAsync(deployer, tree, "git one");
            await File.AppendAllTextAsync(Path.Combine(_directory, "app", "paas.yaml"), "    env: { VERSION: two }\n", TestContext.Current.CancellationToken);
            await ApplyAsync(deployer, tree, "git two");
            await Autoscaler(state, target).ScaleAsync(new EnvironmentScale("shop", "dev", "local", [new ScaleDecision("web", 1, 2, "busy")]), TestContext.Current.CancellationToken);

            var chosen = new Rollbacks(state, Platform(), _ => Connection(target), null, new Progress<ExecutorEvent>()).Choose("shop", "dev", null);

            Assert.Equal(first.Id, chosen.Id); // not "git two" at another scale
        }
    }

    [Fact]
    public async Task Nothing_running_is_nothing_to_scale()
    {
        var (state, target, _, deployer) = Setup();
        using (state)
        {
            var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => deployer.PlanScaleAsync("shop", "dev", new Dictionary<string, int> { ["web"] = 2 }, TestContext.Current.CancellationToken));

            Assert.Contains("shop/dev runs no deployment to scale", refused.Message, StringComparison.Ordinal);
            Assert.Empty((await target.ObserveAsync("shop", "dev", TestContext.Current.CancellationToken)).Containers);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (StateStore State, FakeContainerTarget Target, DirectoryTree Tree, Deployer Deployer) Setup()
    {
        var app = Directory.CreateDirectory(Path.Combine(_directory, "app")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        File.WriteAllText(Path.Combine(app, "paas.yaml"), Scenario.Header + $"services:\n  web:\n    image: {FakeContainerTarget.HttpdImage}\n    port: 8080\n    health: {{ path: /hostname }}\n    autoscale: {{ min: 1, max: 3, cpu: 50 }}\n");
        var state = StateStore.Open(data);
        var target = new FakeContainerTarget();
        return (state, target, new DirectoryTree(app), new Deployer(target, new CapabilityTests.NoImages(), state, new SecretStore(state), new Progress<ExecutorEvent>(), new Progress<string>(), hooks: Hooks()));
    }

    private static async Task<Deployment> ApplyAsync(Deployer deployer, DirectoryTree tree, string trigger)
    {
        var prepared = await deployer.PlanAsync(tree, tree.LoadManifest().ForEnvironment("dev"), "dev", TestContext.Current.CancellationToken);
        var deployment = await deployer.ApplyAsync(prepared, trigger, allowEmpty: false, TestContext.Current.CancellationToken);
        Assert.Equal(DeploymentStatus.Succeeded, deployment.Status);
        return deployment;
    }

    private Autoscaler Autoscaler(StateStore state, FakeContainerTarget target) =>
        new(state, Platform(), _ => Connection(target), null, new Progress<ExecutorEvent>(), Hooks());

    private ExecutionHooks Hooks() => new(TimeProvider.System, CrashHooks.None) { Events = new Recording(_events) };

    private static PlatformConfig Platform() => new() { Targets = new Dictionary<string, TargetConfig> { ["local"] = new("local", "fake", new object()) } };

    private static TargetConnection Connection(FakeContainerTarget target) => new(target, new CapabilityTests.NoImages());

    private sealed class Recording(List<PlatformEvent> events) : IEventSink
    {
        public void Publish(PlatformEvent platformEvent) => events.Add(platformEvent);
    }
}
