using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gitops.Providers.Docker;

/// <summary>
/// The one place that asks a runtime to create a container (DESIGN §3 security rules). The policy
/// is checked on the final request here, so no code path can skip it.
/// </summary>
public static class GuardedContainers
{
    public static Task<string> CreateAsync(DockerClient client, CreateContainerParameters request, CancellationToken cancellationToken) =>
        CreateAsync(client, request, null, cancellationToken);

    /// <summary>The ingress container: the same rules with its allow-list (<see cref="IngressAllowance"/>).</summary>
    public static Task<string> CreateIngressAsync(DockerClient client, CreateContainerParameters request, IngressAllowance allowance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allowance);
        return CreateAsync(client, request, allowance, cancellationToken);
    }

    /// <summary>A volume backup's helper: the same rules with its allowance (<see cref="VolumeHelperAllowance"/>).</summary>
    public static async Task<string> CreateVolumeHelperAsync(DockerClient client, CreateContainerParameters request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var violations = ContainerPolicy.Check(request, null, volumeHelper: true);
        if (violations.Count > 0)
        {
            throw new PolicyViolationException(violations);
        }

        return (await client.Containers.CreateContainerAsync(request, cancellationToken).ConfigureAwait(false)).ID;
    }

    private static async Task<string> CreateAsync(DockerClient client, CreateContainerParameters request, IngressAllowance? allowance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var violations = ContainerPolicy.Check(request, allowance);
        if (violations.Count > 0)
        {
            throw new PolicyViolationException(violations);
        }

        var response = await client.Containers.CreateContainerAsync(request, cancellationToken).ConfigureAwait(false);
        return response.ID;
    }
}
