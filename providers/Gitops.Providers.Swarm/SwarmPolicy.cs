using Docker.DotNet.Models;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Swarm;

/// <summary>
/// A Swarm service spec under the same container policy as every container (<see cref="ContainerPolicy"/>):
/// the spec is read as the container each of its tasks becomes, and checked before the engine
/// sees it. Swarm has no privileged mode, host namespaces or devices in its spec; what it has
/// (mounts, capabilities, limits, the network) is checked as for a container.
/// </summary>
public static class SwarmPolicy
{
    /// <summary>
    /// The one rule a Swarm service cannot state through the API that Docker 20.10 speaks (1.41):
    /// no-new-privileges (ContainerSpec.Privileges.NoNewPrivileges came with API 1.46). What limits
    /// a setuid binary instead: every capability dropped but the allowed few (docs/security.md).
    /// </summary>
    public const string NotExpressible = "no-new-privileges is not set";

    public static IReadOnlyList<string> Check(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var container = spec.TaskTemplate?.ContainerSpec ?? throw new ArgumentException("a service spec without a container spec", nameof(spec));
        var limits = spec.TaskTemplate.Resources?.Limits;
        var asContainer = new CreateContainerParameters
        {
            Image = container.Image ?? "",
            HostConfig = new HostConfig
            {
                CapAdd = container.CapabilityAdd ?? [],
                CapDrop = container.CapabilityDrop ?? [],
                Mounts = (container.Mounts ?? []).Select(m => new Mount { Type = m.Type, Source = m.Source, Target = m.Target, VolumeOptions = m.VolumeOptions }).ToList(),
                PidsLimit = limits?.Pids,
                Memory = limits?.MemoryBytes ?? 0,
                NetworkMode = spec.TaskTemplate.Networks?.FirstOrDefault()?.Target ?? "",
            },
        };
        return ContainerPolicy.Check(asContainer).Where(v => v != NotExpressible).ToList();
    }
}
