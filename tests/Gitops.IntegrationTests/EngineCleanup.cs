using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>Removes everything a test's project made on an engine: containers, networks with their firewall rules, volumes.</summary>
public static class EngineCleanup
{
    public static async Task RemoveProjectAsync(DockerClient client, string project)
    {
        ArgumentNullException.ThrowIfNull(client);
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={project}"] = true } };
        foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }))
        {
            await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }

        foreach (var network in await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }))
        {
            await client.Networks.DeleteNetworkAsync(network.ID);
            await NetworkIsolation.RemoveAsync(network.ID, CancellationToken.None); // the platform's firewall rules for it
        }

        foreach (var volume in (await client.Volumes.ListAsync(new VolumesListParameters { Filters = filter })).Volumes ?? [])
        {
            await client.Volumes.RemoveAsync(volume.Name, force: true);
        }
    }
}
