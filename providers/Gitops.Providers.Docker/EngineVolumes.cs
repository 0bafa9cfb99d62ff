using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// An environment's named volumes on an engine, for every driver that speaks its API (Docker,
/// Podman, a swarm node): made with the environment's labels, reused only when they are its own.
/// </summary>
public static class EngineVolumes
{
    /// <summary>Makes the volume exist; one of that name owned by anyone else is refused.</summary>
    public static async Task EnsureAsync(DockerClient client, string project, string environment, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        // Creating a volume that exists succeeds silently and keeps its labels, so it is looked up first.
        try
        {
            var existing = await TransientRetry.RunAsync(t => client.Volumes.InspectAsync(name, t), cancellationToken).ConfigureAwait(false);
            if (Ownership.Refusal("volume", name, existing.Labels, project, environment) is { } refusal)
            {
                throw new TargetConflictException(refusal);
            }

            return;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }

        await TransientRetry.RunAsync(t => client.Volumes.CreateAsync(new VolumesCreateParameters { Name = name, Labels = Labels.For(project, environment) }, t), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the volume; already gone is success.</summary>
    public static async Task RemoveAsync(DockerClient client, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await TransientRetry.RunAsync(t => client.Volumes.RemoveAsync(name, force: false, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
