using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Providers.Docker;
using Gitops.Engine.Targets;

[assembly: AssemblyFixture(typeof(Gitops.IntegrationTests.TestSwarm))]

namespace Gitops.IntegrationTests;

/// <summary>
/// This machine's Docker engine in swarm mode, for the tests that deploy to a swarm: the first of
/// them makes the engine a single-node swarm (<c>docker swarm init --advertise-addr 127.0.0.1</c>)
/// unless it is one already, and the engine leaves the swarm again when the test run ends, so a
/// run leaves the machine as it found it.
/// </summary>
public sealed class TestSwarm : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1);
    private static bool _initialized;

    /// <summary>A client of the engine, which is then a swarm manager.</summary>
    public static async Task<DockerClient> ConnectAsync()
    {
        var client = await Engines.ConnectAsync("docker");
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            var info = await client.System.GetSystemInfoAsync(TestContext.Current.CancellationToken);
            if (info.Swarm?.LocalNodeState != "active")
            {
                await client.Swarm.InitSwarmAsync(new SwarmInitParameters { ListenAddr = "127.0.0.1:2377", AdvertiseAddr = "127.0.0.1" }, TestContext.Current.CancellationToken);
                _initialized = true;
            }
        }
        finally
        {
            Gate.Release();
        }

        return client;
    }

    /// <summary>Removes everything of <paramref name="project"/> from the swarm: services first (else Swarm starts their tasks again), then networks, secrets, volumes.</summary>
    public static async Task RemoveProjectAsync(DockerClient client, string project)
    {
        ArgumentNullException.ThrowIfNull(client);
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={project}"] = true } };
        foreach (var service in await client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = filter }))
        {
            await client.Swarm.RemoveServiceAsync(service.ID);
        }

        for (var i = 0; i < 100 && (await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter })).Count > 0; i++)
        {
            await Task.Delay(200);
        }

        foreach (var secret in (await client.Secrets.ListAsync()).Where(s => s.Spec?.Labels?.TryGetValue(Labels.Project, out var p) == true && p == project))
        {
            await client.Secrets.DeleteAsync(secret.ID);
        }

        // Overlay networks have no firewall rules of the platform's (their IDs are Swarm's, not an engine's bridge).
        foreach (var network in await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }))
        {
            await Retry.RunAsync(async t => { await client.Networks.DeleteNetworkAsync(network.ID, t); return true; }, e => e is DockerApiException, CancellationToken.None, attempts: 10);
        }

        foreach (var volume in (await client.Volumes.ListAsync(new VolumesListParameters { Filters = filter })).Volumes ?? [])
        {
            await client.Volumes.RemoveAsync(volume.Name, force: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_initialized)
        {
            using var client = EngineClient.Create(Engines.Endpoint("docker"));
            await client.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true });
        }
    }
}
