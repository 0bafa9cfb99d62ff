using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Loading;

namespace Gitops.Tests.Conformance;

/// <summary>
/// A target the conformance suite runs against, and what the suite cannot do through the driver:
/// the image that serves HTTP there, a change behind the platform's back (drift), and clean-up.
/// </summary>
public interface ITargetUnderTest : IAsyncDisposable
{
    ITargetDriver Driver { get; }

    /// <summary>An image and command answering HTTP on port 8080, 200 for <c>/hostname</c> and 404 under <c>/missing</c>.</summary>
    string Image { get; }

    string Command { get; }

    /// <summary>
    /// How many steps this target journals for a change of the crash test: <c>create</c> (from
    /// nothing, two replicas) or <c>replace</c> (a new version of two replicas). The container
    /// family journals each replica; a target that rolls out itself journals each service.
    /// </summary>
    int StepsOf(string change);

    /// <summary>Removes an instance as someone with access to the target would, without the platform.</summary>
    Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken);

    /// <summary>Removes everything of <paramref name="project"/> on the target.</summary>
    Task CleanUpAsync(string project, CancellationToken cancellationToken);
}

/// <summary>
/// The apply flow without a CLI, a server or a build, as <see cref="Deployer"/> runs it: recover →
/// compile → observe → plan → execute, against one target, with its own state directory.
/// </summary>
public sealed class ConformanceHarness(ITargetUnderTest target) : IAsyncDisposable
{
    public const string Environment = "dev";

    private readonly string _directory = Directory.CreateTempSubdirectory("paas-conformance-").FullName;
    private readonly List<string> _projects = [];
    private StateStore? _state;

    public StateStore State => _state ??= StateStore.Open(_directory);

    public ITargetDriver Driver => target.Driver;

    /// <summary>A project name no other test uses.</summary>
    public string NewProject()
    {
        var project = $"c{Guid.NewGuid():N}"[..12];
        _projects.Add(project);
        return project;
    }

    /// <summary>A service answering HTTP on 8080; <paramref name="health"/> under /missing fails its check.</summary>
    public string Web(string name, string version, int replicas = 1, string health = "/hostname") => $$"""
          {{name}}:
            image: {{target.Image}}
            command: {{target.Command}}
            port: 8080
            replicas: {{replicas}}
            env: { VERSION: "{{version}}" }
            health: { path: {{health}}, interval: 1s, timeout: 1s, retries: 2 }
            deploy: { drain: 1s }

        """;

    /// <param name="restarts">Service → restart stamp, as <c>paas restart</c> leaves for every later compile.</param>
    public static DesiredState Desired(string project, string services, IReadOnlyDictionary<string, string>? restarts = null)
    {
        var loaded = ManifestLoader.LoadText($"version: 1\nproject: {project}\nenvironments:\n  {Environment}: {{ branch: main }}\nservices:\n{services}", "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var revision = "rev-" + Fingerprint.Hash(services)[..8];
        var compiled = Compiler.Compile(loaded.ForEnvironment(Environment), Environment, revision, new CompileInputs(new Dictionary<string, string>(), new Dictionary<string, string>()) { Restarts = restarts ?? new Dictionary<string, string>() });
        Assert.True(compiled.State is not null, string.Join("\n", compiled.Errors));
        return compiled.State;
    }

    public async Task<Plan> PlanAsync(string project, string services, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? restarts = null)
    {
        var desired = Desired(project, services, restarts);
        var observed = await Driver.ObserveAsync(project, Environment, cancellationToken);
        return Planner.Plan(desired, observed, State.Recorded(project, Environment));
    }

    /// <summary>Recovers what a crashed apply left, then plans and applies <paramref name="services"/>.</summary>
    public async Task<Deployment> ApplyAsync(string project, string services, CancellationToken cancellationToken, ICrashHook? crash = null, IReadOnlyDictionary<string, string>? restarts = null)
    {
        var progress = new Progress<ExecutorEvent>();
        await new Recovery(Driver, State, progress).RecoverAsync(project, Environment, cancellationToken);
        var plan = await PlanAsync(project, services, cancellationToken, restarts);
        var deployment = new Deployment
        {
            Id = DeploymentIds.New(),
            Project = project,
            Environment = Environment,
            Revision = plan.Revision,
            Trigger = "conformance",
            PlanText = PlanText.Render(plan),
            StartedAt = DateTimeOffset.UtcNow,
        };
        var hooks = new ExecutionHooks(TimeProvider.System, crash ?? CrashHooks.None);
        return await new Executor(Driver, State, new SecretStore(State), progress, ingress: null, hooks).ApplyAsync(plan, deployment, cancellationToken);
    }

    public Task<ObservedState> ObserveAsync(string project, CancellationToken cancellationToken) => Driver.ObserveAsync(project, Environment, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var project in _projects)
        {
            await target.CleanUpAsync(project, CancellationToken.None);
        }

        _state?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>
/// Stops an apply at one journaled step as kill -9 would: at the point, and from then on at every
/// step of that apply, it never returns (the apply is cancelled, so nothing more is written or done).
/// </summary>
public sealed class CrashAt(int step, bool afterEffect) : ICrashHook
{
    private readonly TaskCompletionSource _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Crashed => _crashed.Task;

    public ValueTask BeforeAsync(int sequence, CancellationToken cancellationToken) => At(sequence, after: false, cancellationToken);

    public ValueTask AfterAsync(int sequence, CancellationToken cancellationToken) => At(sequence, after: true, cancellationToken);

    public override string ToString() => $"{step}{(afterEffect ? "+" : "")}";

    private async ValueTask At(int here, bool after, CancellationToken cancellationToken)
    {
        if (here == step && after == afterEffect)
        {
            _crashed.TrySetResult();
        }

        if (_crashed.Task.IsCompleted)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
