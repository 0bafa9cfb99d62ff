using Amazon.Runtime;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws;
using Gitops.Schema.Model;
using Gitops.Tests.Conformance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gitops.Clouds.Tests;

/// <summary>
/// An ecs target on moto with a cluster of its own, and the FAKE scheduler that starts the tasks
/// moto never starts (<see cref="FakeEcsScheduler"/>). Settled by its running tasks
/// (<c>settle: running-tasks-test-only</c>): moto leaves every deployment IN_PROGRESS.
/// </summary>
internal sealed class EcsTarget : ITargetUnderTest
{
    private readonly Moto _moto;
    private readonly FakeEcsScheduler _scheduler;
    private readonly EcsDriver _driver;

    /// <param name="configure">Changes to the test options (e.g. production's settle).</param>
    public EcsTarget(Moto moto, AWSCredentials? credentials = null, ILogger? log = null, bool listener = false, Func<HttpMessageHandler>? inner = null, Func<EcsOptions, EcsOptions>? configure = null)
    {
        _moto = moto;
        Cluster = $"c{Guid.NewGuid():N}"[..12];
        Options = new EcsOptions
        {
            Region = Moto.Region,
            Cluster = Cluster,
            Subnets = new ValueList<string>(moto.Subnets),
            SecurityGroups = new ValueList<string>([moto.SecurityGroup]),
            ExecutionRole = Moto.ExecutionRole,
            Endpoint = moto.Endpoint,
            LoadBalancerListener = listener ? moto.Listener : null,
            Settle = EcsSettle.RunningTasksTestOnly,
            RolloutTimeoutSeconds = 60,
            Poll = TimeSpan.FromMilliseconds(200),
        };
        Options = configure?.Invoke(Options) ?? Options;
        _driver = EcsProvider.Open(Options, credentials ?? new BasicAWSCredentials("testing", "testing"), log ?? NullLogger.Instance, inner);
        _scheduler = new FakeEcsScheduler(moto, Cluster, TestContext.Current.TestOutputHelper);
    }

    public string Cluster { get; }

    public EcsOptions Options { get; }

    public ITargetDriver Driver => _driver;

    public EcsDriver Ecs => _driver;

    public string Image => "registry.example.com/conformance/httpd:1";

    public string Command => "[\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]";

    /// <summary>Like Kubernetes: the environment (create only), applying the service, then waiting for ECS's rollout.</summary>
    public int StepsOf(string change) => change == "create" ? 3 : 2;

    /// <summary>A stopped task comes back (ECS starts another): someone lowers the desired count with the aws CLI instead.</summary>
    public async Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken)
    {
        var (project, environment, service) = EcsNames.Parse(instance)!.Value;
        var name = EcsNames.Service(project, environment, service);
        var count = int.Parse(await _moto.Cli.TextAsync("ecs", "describe-services", "--cluster", Cluster, "--services", name, "--include", "TAGS", "--query", "services[0].desiredCount"), System.Globalization.CultureInfo.InvariantCulture);
        await _moto.Cli.RunAsync("ecs", "update-service", "--cluster", Cluster, "--service", name, "--desired-count", (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var observer = _driver.Observer;
        for (var i = 0; i < 100 && (await observer.TasksAsync(name, cancellationToken)).Count >= count; i++)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    public Task CleanUpAsync(string project, CancellationToken cancellationToken) => Task.CompletedTask; // a cluster per target, in a moto that goes with the run

    public async ValueTask DisposeAsync()
    {
        await _scheduler.DisposeAsync();
        _driver.Dispose();
        _scheduler.ThrowIfFailed(); // a test that passed over a broken fake proves nothing

    }
}

/// <summary>The conformance suite against the ECS driver on moto, with the FAKE scheduler.</summary>
public sealed class EcsConformanceTests(Moto moto) : TargetConformance
{
    protected override Task<ITargetUnderTest> OpenAsync()
    {
        moto.Require();
        return Task.FromResult<ITargetUnderTest>(new EcsTarget(moto));
    }
}
