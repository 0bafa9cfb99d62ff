using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Providers.Swarm;
using Gitops.Tests.Conformance;
using SwarmDriver = Gitops.Providers.Swarm.SwarmDriver;

namespace Gitops.IntegrationTests;

/// <summary>The conformance suite against a real single-node Docker Swarm.</summary>
public sealed class SwarmConformanceTests : TargetConformance
{
    protected override async Task<ITargetUnderTest> OpenAsync() => new SwarmTarget(await TestSwarm.ConnectAsync());
}

/// <summary>A swarm as the conformance suite's target: the platform's driver, and the engine's own client for drift and clean-up.</summary>
internal sealed class SwarmTarget(DockerClient client) : ITargetUnderTest
{
    private readonly SwarmDriver _driver = new(EngineClient.Create(Engines.Endpoint("docker")), new SwarmOptions());

    public ITargetDriver Driver => _driver;

    public string Image => LocalBaseImage.Name(EngineKind.Docker);

    public string Command => "[\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]";

    /// <summary>Swarm journals two steps per service: creating it (after the network) or updating it, then waiting for its rollout.</summary>
    public int StepsOf(string change) => change == "create" ? 3 : 2;

    /// <summary>A task cannot be removed from a Swarm service (Swarm starts another): its service is scaled down by one, as <c>docker service scale</c> does.</summary>
    public async Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken)
    {
        var service = await client.Swarm.InspectServiceAsync(instance, cancellationToken);
        var spec = service.Spec!;
        var replicas = (spec.Mode!.Replicated!.Replicas ?? 1) - 1;
        spec.Mode.Replicated.Replicas = replicas;
        await client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = spec, Version = (long)(service.Version?.Index ?? 0) }, cancellationToken);
        var filter = new Dictionary<string, IDictionary<string, bool>>
        {
            ["service"] = new Dictionary<string, bool> { [service.ID] = true },
            ["desired-state"] = new Dictionary<string, bool> { ["running"] = true },
        };
        for (var i = 0; i < 100 && (await client.Tasks.ListAsync(new TasksListParameters { Filters = filter }, cancellationToken)).Count > (int)replicas; i++)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    public Task CleanUpAsync(string project, CancellationToken cancellationToken) => EngineCleanup.RemoveProjectAsync(client, project);

    public ValueTask DisposeAsync()
    {
        _driver.Dispose();
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
