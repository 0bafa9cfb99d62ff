using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using LibGit2Sharp;

namespace Gitops.Engine.Tests;

/// <summary>
/// The GitOps loop's one pass against a real local Git repository and the in-memory FAKE target:
/// a commit deploys, a second pass is in sync, a broken manifest changes nothing, drift is repaired
/// and published. Milliseconds, no engine.
/// </summary>
public sealed class FakeReconcilerTests : IDisposable
{
    private const string Project = "shop";

    private readonly string _directory = Directory.CreateTempSubdirectory("paas-reconcile-").FullName;
    private readonly FakeContainerTarget _target = new();
    private readonly List<PlatformEvent> _events = [];

    [Fact]
    public async Task A_commit_on_the_followed_branch_is_deployed_and_the_next_pass_is_in_sync()
    {
        using var world = Open();
        world.Commit(Manifest("1"));

        var first = await world.SyncAsync();
        var second = await world.SyncAsync();

        Assert.Equal(ReconcileOutcome.Applied, Assert.Single(first).Outcome);
        Assert.Equal(ReconcileOutcome.InSync, Assert.Single(second).Outcome);
        Assert.Single((await _target.ObserveAsync(Project, "dev", TestContext.Current.CancellationToken)).Containers, c => c.Running && c.Service == "web");
        Assert.Equal([PlatformEvent.DeployStarted, PlatformEvent.DeploySucceeded], _events.Select(e => e.Name));
    }

    [Fact]
    public async Task A_deployment_from_git_records_the_commits_message_author_and_time()
    {
        using var world = Open();
        world.Commit(Manifest("1"), "Add the web service\n\nIt answers on 8080.");

        var deployed = Assert.Single(await world.SyncAsync()).Deployment!;
        var stored = world.State.Deployment(deployed.Id)!;

        Assert.Equal("Add the web service\n\nIt answers on 8080.", stored.Commit!.Message);
        Assert.Equal("test", stored.Commit.Author);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), stored.Commit.At);
    }

    [Fact]
    public async Task A_broken_manifest_changes_nothing_and_names_its_place()
    {
        using var world = Open();
        world.Commit(Manifest("1"));
        await world.SyncAsync();
        var running = (await _target.ObserveAsync(Project, "dev", TestContext.Current.CancellationToken)).Containers;

        world.Commit(Manifest("2") + "    replicas: many\n");
        var broken = Assert.Single(await world.SyncAsync());

        Assert.Equal(ReconcileOutcome.InvalidManifest, broken.Outcome);
        Assert.Contains("paas.yaml:", broken.Detail, StringComparison.Ordinal);
        Assert.Contains("many", broken.Detail, StringComparison.Ordinal);
        Assert.Equal(running, (await _target.ObserveAsync(Project, "dev", TestContext.Current.CancellationToken)).Containers);
    }

    [Fact]
    public async Task An_instance_removed_under_a_deployed_commit_is_restarted_and_published_as_drift()
    {
        using var world = Open();
        world.Commit(Manifest("1"));
        await world.SyncAsync();
        var gone = Assert.Single((await _target.ObserveAsync(Project, "dev", TestContext.Current.CancellationToken)).Containers);
        var beforeDrift = new EnvironmentRecords(world.State).DriftOf(Project, "dev");
        await ((Gitops.Tests.Conformance.ITargetUnderTest)_target).RemoveBehindThePlatformsBackAsync(gone.Name, TestContext.Current.CancellationToken);

        var repaired = Assert.Single(await world.SyncAsync());

        Assert.Equal(ReconcileOutcome.Applied, repaired.Outcome);
        Assert.Single((await _target.ObserveAsync(Project, "dev", TestContext.Current.CancellationToken)).Containers, c => c.Running);
        Assert.Contains(_events, e => e.Name == PlatformEvent.DriftDetected && e.Detail!.Contains("service/web", StringComparison.Ordinal));
        Assert.Contains(_events, e => e.Name == PlatformEvent.HealthDegraded && e.Service == "web" && e.Detail!.StartsWith("0 of 1", StringComparison.Ordinal));
        var drift = new EnvironmentRecords(world.State).DriftOf(Project, "dev"); // what the dashboard shows on the grid
        Assert.Null(beforeDrift); // a first deploy is no drift
        Assert.Equal(repaired.Commit, drift!.Revision);
        Assert.Equal(new DriftChange("service", "web", "container missing (drift)"), Assert.Single(drift.Changes));
    }

    [Fact]
    public async Task A_target_that_does_not_answer_fails_no_commit_and_the_next_pass_deploys_it()
    {
        using var world = Open();
        world.Commit(Manifest("1"));
        _target.Unavailable = true;

        await Assert.ThrowsAsync<TargetUnavailableException>(world.SyncAsync);
        _target.Unavailable = false;
        var next = Assert.Single(await world.SyncAsync());

        Assert.Equal(ReconcileOutcome.Applied, next.Outcome); // not "failed before, waiting for the branch to move"
        Assert.Single((await _target.ObserveAsync(Project, "dev", TestContext.Current.CancellationToken)).Containers, c => c.Running);
    }

    public void Dispose()
    {
        foreach (var file in Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal); // Git's object files are read-only
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static string Manifest(string version) =>
        $"version: 1\nproject: {Project}\nenvironments:\n  dev: {{ branch: main }}\nservices:\n  web:\n    image: {FakeContainerTarget.HttpdImage}\n    port: 8080\n    env: {{ VERSION: \"{version}\" }}\n";

    private World Open()
    {
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var origin = Path.Combine(_directory, "origin");
        Repository.Init(origin);
        var state = StateStore.Open(data);
        new RepositoryRegistry(state).Add(Project, new Uri(origin).AbsoluteUri);
        var platform = new PlatformConfig
        {
            AllowFileUrls = true,
            Targets = new Dictionary<string, TargetConfig> { ["local"] = new("local", _target.Kind, new object()) },
        };
        var hooks = new ExecutionHooks(TimeProvider.System, CrashHooks.None) { Events = new Recording(_events) };
        var reconciler = new Reconciler(state, new GitSource(Path.Combine(data, "repos"), allowFileUrls: true), platform, _ => new TargetConnection(_target, new CapabilityTests.NoImages()), new Progress<ExecutorEvent>(), new Progress<string>(), hooks: hooks);
        return new World(origin, state, reconciler);
    }

    private sealed class World(string origin, StateStore state, Reconciler reconciler) : IDisposable
    {
        public StateStore State => state;

        public void Commit(string manifest, string? message = null)
        {
            using var repository = new Repository(origin);
            File.WriteAllText(Path.Combine(origin, "paas.yaml"), manifest);
            Commands.Stage(repository, "paas.yaml");
            var author = new Signature("test", "test@example.com", DateTimeOffset.UnixEpoch.AddDays(repository.Commits.Count() + 1));
            var commit = repository.Commit(message ?? $"commit {repository.Commits.Count() + 1}", author, author);
            repository.Refs.Add("refs/heads/main", commit.Id, allowOverwrite: true); // libgit2 starts on master; the manifest follows main
        }

        public Task<IReadOnlyList<ReconcileResult>> SyncAsync() => reconciler.SyncAsync(Project, TestContext.Current.CancellationToken);

        public void Dispose() => state.Dispose();
    }

    private sealed class Recording(List<PlatformEvent> events) : IEventSink
    {
        public void Publish(PlatformEvent platformEvent) => events.Add(platformEvent);
    }
}
