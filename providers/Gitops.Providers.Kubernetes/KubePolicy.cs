using Gitops.Providers.Docker;
using k8s.Models;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// The container policy for pods, checked on every pod template at the one place that applies
/// objects to the cluster (<see cref="KubeCluster.ApplyAsync"/>), whatever built it: no privileged
/// container, no host path, no host network, PID or IPC namespace, no capability beyond the
/// container family's five, no privilege escalation, a memory limit, and only volumes that are the
/// environment's claims, secrets or a scratch directory.
/// </summary>
public static class KubePolicy
{
    public static IReadOnlyList<string> Check(V1PodSpec pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var violations = new List<string>();
        if (pod.HostNetwork == true)
        {
            violations.Add("host network");
        }

        if (pod.HostPID == true)
        {
            violations.Add("host PID namespace");
        }

        if (pod.HostIPC == true)
        {
            violations.Add("host IPC namespace");
        }

        if (pod.ShareProcessNamespace == true)
        {
            violations.Add("a shared process namespace");
        }

        foreach (var volume in pod.Volumes ?? [])
        {
            if (volume.HostPath is not null)
            {
                violations.Add($"host path '{volume.HostPath.Path}' in volume {volume.Name}");
            }
            else if (volume.PersistentVolumeClaim is null && volume.EmptyDir is null && volume.Secret is null)
            {
                violations.Add($"volume {volume.Name} is neither a claim, a secret nor a scratch directory");
            }
        }

        foreach (var container in (pod.InitContainers ?? []).Concat(pod.Containers ?? []))
        {
            Container(container, violations);
        }

        return violations;
    }

    private static void Container(V1Container container, List<string> violations)
    {
        var security = container.SecurityContext;
        if (security?.Privileged == true)
        {
            violations.Add($"privileged mode ({container.Name})");
        }

        if (security?.AllowPrivilegeEscalation != false)
        {
            violations.Add($"privilege escalation is not turned off ({container.Name})");
        }

        if (security?.Capabilities?.Drop?.Contains("ALL", StringComparer.OrdinalIgnoreCase) != true)
        {
            violations.Add($"capabilities are not all dropped ({container.Name})");
        }

        foreach (var added in (security?.Capabilities?.Add ?? []).Where(c => !ContainerPolicy.AllowedCapabilities.Contains(c.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? c[4..] : c)))
        {
            violations.Add($"capability {added} ({container.Name})");
        }

        if (security?.ProcMount is { } proc && !string.Equals(proc, "Default", StringComparison.Ordinal))
        {
            violations.Add($"proc mount {proc} ({container.Name})");
        }

        if (container.Resources?.Limits?.ContainsKey("memory") != true)
        {
            violations.Add($"no memory limit ({container.Name})");
        }

        foreach (var port in container.Ports ?? [])
        {
            if (port.HostPort is > 0)
            {
                violations.Add($"host port {port.HostPort} ({container.Name})");
            }
        }
    }
}
