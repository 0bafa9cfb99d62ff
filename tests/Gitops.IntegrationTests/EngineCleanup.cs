using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// Removes everything a test's project made on an engine: Swarm services and secrets (when the
/// engine is a swarm manager), containers, networks with their firewall rules, volumes.
/// </summary>
public static class EngineCleanup
{
    public static async Task RemoveProjectAsync(DockerClient client, string project)
    {
        ArgumentNullException.ThrowIfNull(client);
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={project}"] = true } };
        if ((await client.System.GetSystemInfoAsync()).Swarm?.ControlAvailable == true)
        {
            await RemoveSwarmObjectsAsync(client, project, filter);
        }

        foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }))
        {
            await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }

        foreach (var network in await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }))
        {
            // A swarm's overlay network is freed a moment after its services' tasks stopped.
            try
            {
                await Retry.RunAsync(async t => { await client.Networks.DeleteNetworkAsync(network.ID, t); return true; }, e => e is DockerApiException && network.Driver == "overlay", CancellationToken.None, attempts: 10);
            }
            catch (DockerNetworkNotFoundException)
            {
                // A retry found it gone: the earlier attempt removed it after all.
            }

            if (network.Driver != "overlay")
            {
                await NetworkIsolation.RemoveAsync(network.ID, CancellationToken.None); // the platform's firewall rules for it
            }
        }

        foreach (var volume in (await client.Volumes.ListAsync(new VolumesListParameters { Filters = filter })).Volumes ?? [])
        {
            await client.Volumes.RemoveAsync(volume.Name, force: true);
        }
    }

    /// <summary>Services first (else Swarm starts their tasks again), waiting for their containers to go; then secrets.</summary>
    private static async Task RemoveSwarmObjectsAsync(DockerClient client, string project, Dictionary<string, IDictionary<string, bool>> filter)
    {
        var services = await client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = filter });
        foreach (var service in services)
        {
            await client.Swarm.RemoveServiceAsync(service.ID);
        }

        // Only the services' own tasks are waited for: a project on the plain engine has containers of its own, removed next.
        foreach (var service in services)
        {
            var tasks = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"com.docker.swarm.service.id={service.ID}"] = true } };
            for (var i = 0; i < 100 && (await client.Containers.ListContainersAsync(new ContainersListParameters { Filters = tasks })).Count > 0; i++)
            {
                await Task.Delay(200);
            }
        }

        foreach (var secret in (await client.Secrets.ListAsync()).Where(s => s.Spec?.Labels?.TryGetValue(Labels.Project, out var p) == true && p == project))
        {
            await client.Secrets.DeleteAsync(secret.ID);
        }
    }
}
