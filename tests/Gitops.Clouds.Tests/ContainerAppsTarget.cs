using System.Text.Json.Nodes;
using Azure.Core;
using Gitops.Clouds.Tests.Fake;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure;
using Gitops.Schema.Model;
using Gitops.Tests.Conformance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A containerapps target on a FAKE Azure Resource Manager and Entra token endpoint of its own
/// (<see cref="FakeContainerApps"/>), signing in as the fake's service principal, with short polls and timeout.
/// </summary>
internal sealed class ContainerAppsTarget : ITargetUnderTest
{
    private readonly ContainerAppsDriver _driver;

    private ContainerAppsTarget(FakeContainerApps fake, ContainerAppsDriver driver, ContainerAppsOptions options)
    {
        Fake = fake;
        _driver = driver;
        Options = options;
    }

    public FakeContainerApps Fake { get; }

    public ContainerAppsOptions Options { get; }

    public ITargetDriver Driver => _driver;

    public ContainerAppsDriver ContainerApps => _driver;

    public string Image => "paasfake.azurecr.io/conformance/httpd:1";

    public string Command => "[\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]";

    /// <param name="principal">The service principal JSON the driver signs in with (default: the fake's).</param>
    /// <param name="configure">Changes to the test options.</param>
    /// <param name="inner">The ARM handler (default: one trusting the fake's certificate).</param>
    public static async Task<ContainerAppsTarget> StartAsync(ILogger? log = null, Func<FakeContainerApps, string>? principal = null, Func<ContainerAppsOptions, ContainerAppsOptions>? configure = null, Func<FakeContainerApps, Func<HttpMessageHandler>>? inner = null)
    {
        var fake = await FakeContainerApps.StartAsync(TestContext.Current.CancellationToken);
        var options = OptionsFor(fake);
        options = configure?.Invoke(options) ?? options;
        var stored = StoredServicePrincipal.Parse(principal is null ? fake.ServicePrincipalJson : principal(fake), "azure");
        TokenCredential credential = AzureCredentials.For(options, stored, fake.TrustingHandler);
        var driver = ContainerAppsProvider.Open(options, credential, log ?? NullLogger.Instance, inner?.Invoke(fake) ?? (Func<HttpMessageHandler>)fake.TrustingHandler);
        return new ContainerAppsTarget(fake, driver, options);
    }

    public static ContainerAppsOptions OptionsFor(FakeContainerApps fake) => new()
    {
        Subscription = FakeContainerApps.Subscription,
        ResourceGroup = FakeContainerApps.ResourceGroup,
        Environment = FakeContainerApps.Environment,
        Location = FakeContainerApps.Location,
        Endpoint = fake.BaseAddress.ToString(),
        Authority = fake.BaseAddress.ToString(),
        RolloutTimeoutSeconds = 30,
        Poll = Duration.FromSeconds(0.05),
    };

    /// <summary>Like ECS: the environment (create only), applying the app, then waiting for Container Apps' rollout.</summary>
    public int StepsOf(string change) => change == "create" ? 3 : 2;

    /// <summary>ARM names no replicas the platform keeps: someone lowers the app's replica bounds in the portal instead.</summary>
    public async Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken)
    {
        var (project, environment, service) = ContainerAppsNames.Parse(instance)!.Value;
        var path = FakeContainerApps.PathOf(ContainerAppsNames.App(project, environment, service));
        var app = await Fake.ConsoleAsync(HttpMethod.Get, path, null, cancellationToken);
        var scale = app!["properties"]!["template"]!["scale"]!;
        var count = (int)scale["minReplicas"]! - 1;
        scale["minReplicas"] = count;
        scale["maxReplicas"] = count;
        await Fake.ConsoleAsync(HttpMethod.Put, path, app, cancellationToken);
    }

    public Task CleanUpAsync(string project, CancellationToken cancellationToken) => Task.CompletedTask; // a fake per target, gone with it

    public async ValueTask DisposeAsync()
    {
        _driver.Dispose();
        await Fake.DisposeAsync();
    }
}

/// <summary>The conformance suite against the containerapps driver on the FAKE Azure Resource Manager.</summary>
public sealed class ContainerAppsConformanceTests : TargetConformance
{
    protected override async Task<ITargetUnderTest> OpenAsync() => await ContainerAppsTarget.StartAsync();
}
