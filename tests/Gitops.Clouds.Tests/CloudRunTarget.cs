using System.Globalization;
using System.Text.Json.Nodes;
using Gitops.Clouds.Tests.Fake;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp;
using Gitops.Schema.Model;
using Gitops.Tests.Conformance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A cloudrun target on a FAKE Cloud Run Admin API of its own (<see cref="FakeCloudRun"/>), with
/// the fake's service-account key, short polls and timeout.
/// </summary>
internal sealed class CloudRunTarget : ITargetUnderTest
{
    private readonly CloudRunDriver _driver;

    private CloudRunTarget(FakeCloudRun fake, CloudRunDriver driver, CloudRunOptions options)
    {
        Fake = fake;
        _driver = driver;
        Options = options;
    }

    public FakeCloudRun Fake { get; }

    public CloudRunOptions Options { get; }

    public ITargetDriver Driver => _driver;

    public CloudRunDriver CloudRun => _driver;

    public CloudRunIngress Ingress => new(_driver);

    public string Image => "europe-docker.pkg.dev/paas-fake-project/conformance/httpd:1";

    public string Command => "[\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]";

    /// <param name="key">The service-account key the driver reads (default: the fake's).</param>
    /// <param name="configure">Changes to the test options.</param>
    public static async Task<CloudRunTarget> StartAsync(ILogger? log = null, Func<FakeCloudRun, string?>? key = null, Func<CloudRunOptions, CloudRunOptions>? configure = null, Func<HttpMessageHandler>? inner = null)
    {
        var fake = await FakeCloudRun.StartAsync(TestContext.Current.CancellationToken);
        var options = new CloudRunOptions
        {
            Project = FakeCloudRun.Project,
            Region = FakeCloudRun.Region,
            Endpoint = fake.BaseAddress.ToString(),
            RolloutTimeoutSeconds = 30,
            Poll = Duration.FromSeconds(0.05),
        };
        options = configure?.Invoke(options) ?? options;
        var driver = CloudRunProvider.Open(options, () => key is null ? fake.ServiceAccountJson : key(fake), log ?? NullLogger.Instance, inner);
        return new CloudRunTarget(fake, driver, options);
    }

    /// <summary>Like ECS: the environment (create only), applying the service, then waiting for Cloud Run's rollout.</summary>
    public int StepsOf(string change) => change == "create" ? 3 : 2;

    /// <summary>Cloud Run names no instances: someone lowers the service's instance count in the console instead.</summary>
    public async Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken)
    {
        var (project, environment, service) = CloudRunNames.Parse(instance)!.Value;
        var path = $"v2/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/services/{CloudRunNames.Service(project, environment, service)}";
        var current = await Fake.ConsoleAsync(HttpMethod.Get, path, null, cancellationToken);
        var count = (int)current!["scaling"]!["minInstanceCount"]! - 1;
        await Fake.ConsoleAsync(HttpMethod.Patch, path, new JsonObject { ["scaling"] = new JsonObject { ["minInstanceCount"] = count, ["maxInstanceCount"] = count } }, cancellationToken);
    }

    public Task CleanUpAsync(string project, CancellationToken cancellationToken) => Task.CompletedTask; // a fake per target, gone with it

    public async ValueTask DisposeAsync()
    {
        _driver.Dispose();
        await Fake.DisposeAsync();
    }

    /// <summary>The path of a service of the fake's project and region, for the console's calls.</summary>
    public static string PathOf(string id) => string.Create(CultureInfo.InvariantCulture, $"v2/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/services/{id}");
}

/// <summary>The conformance suite against the cloudrun driver on the FAKE Cloud Run Admin API.</summary>
public sealed class CloudRunConformanceTests : TargetConformance
{
    protected override async Task<ITargetUnderTest> OpenAsync() => await CloudRunTarget.StartAsync();
}
