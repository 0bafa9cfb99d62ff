using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;

namespace Gitops.Engine.Tests;

/// <summary>Every deploy tells the one event sink that it started and how it ended (on the FAKE target).</summary>
public sealed class DeployEventTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-events-").FullName;
    private readonly List<PlatformEvent> _events = [];

    [Fact]
    public async Task A_deploy_publishes_started_then_succeeded_with_its_target_kind_and_duration()
    {
        var deployment = await DeployAsync("/hostname");

        Assert.Equal(DeploymentStatus.Succeeded, deployment.Status);
        Assert.Equal([PlatformEvent.DeployStarted, PlatformEvent.DeploySucceeded], _events.Select(e => e.Name));
        Assert.All(_events, e => Assert.Equal(("shop", "dev", deployment.Id, "fake"), (e.Project, e.Environment, e.DeploymentId, e.TargetKind)));
        Assert.NotNull(_events[1].Duration);
    }

    [Fact]
    public async Task A_version_failing_its_health_check_publishes_rolled_back_with_the_reason()
    {
        var deployment = await DeployAsync("/missing");

        Assert.Equal(DeploymentStatus.RolledBack, deployment.Status);
        Assert.Equal(PlatformEvent.DeployRolledBack, _events[^1].Name);
        Assert.Contains("unhealthy", _events[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_that_throws_never_fails_the_deploy()
    {
        var deployment = await DeployAsync("/hostname", new Throwing());

        Assert.Equal(DeploymentStatus.Succeeded, deployment.Status);
        Assert.Equal(2, _events.Count);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<Deployment> DeployAsync(string health, IEventSink? first = null)
    {
        var app = Directory.CreateDirectory(Path.Combine(_directory, "app")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "paas.yaml"), Scenario.Header + $"services:\n  web:\n    image: {FakeContainerTarget.HttpdImage}\n    port: 8080\n    health: {{ path: {health} }}\n", TestContext.Current.CancellationToken);
        var tree = new DirectoryTree(app);
        using var state = StateStore.Open(data);
        var sink = new EventSinks(first ?? EventSinks.None, new Recording(_events));
        var hooks = new ExecutionHooks(TimeProvider.System, CrashHooks.None) { Events = sink };
        var deployer = new Deployer(new FakeContainerTarget(), new CapabilityTests.NoImages(), state, new SecretStore(state), new Progress<ExecutorEvent>(), new Progress<string>(), hooks: hooks);
        var prepared = await deployer.PlanAsync(tree, tree.LoadManifest().ForEnvironment("dev"), "dev", TestContext.Current.CancellationToken);
        return await deployer.ApplyAsync(prepared, "test", allowEmpty: false, TestContext.Current.CancellationToken);
    }

    private sealed class Recording(List<PlatformEvent> events) : IEventSink
    {
        public void Publish(PlatformEvent platformEvent) => events.Add(platformEvent);
    }

    private sealed class Throwing : IEventSink
    {
        public void Publish(PlatformEvent platformEvent) => throw new InvalidOperationException("a broken consumer");
    }
}
