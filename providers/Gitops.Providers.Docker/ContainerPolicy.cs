using Docker.DotNet.Models;

namespace Gitops.Providers.Docker;

/// <summary>A create request broke the container policy; nothing was created.</summary>
public sealed class PolicyViolationException(IReadOnlyList<string> violations)
    : Exception($"refused by container policy: {string.Join("; ", violations)}")
{
    public IReadOnlyList<string> Violations { get; } = violations;
}

/// <summary>
/// The rules every container request must pass, checked on the final request at the one place
/// that calls the runtime (<see cref="GuardedContainers"/>). Each rule names a way a container
/// has escaped to its host in a published CVE or advisory of a self-hosted platform.
/// </summary>
public static class ContainerPolicy
{
    /// <summary>Capabilities a container may keep after dropping ALL: enough for images that switch to an unprivileged user.</summary>
    public static readonly IReadOnlySet<string> AllowedCapabilities =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE", "KILL" };

    private static readonly string[] HostModes = ["host"];

    public static IReadOnlyList<string> Check(CreateContainerParameters request) => Check(request, null);

    /// <summary>
    /// The rules, with the exceptions of <paramref name="ingress"/> when the request is the
    /// ingress container's (see <see cref="IngressAllowance"/>); every other rule still holds.
    /// </summary>
    /// <param name="volumeHelper">The request is a volume backup's helper's: <see cref="VolumeHelperAllowance"/>'s capabilities, on no network.</param>
    public static IReadOnlyList<string> Check(CreateContainerParameters request, IngressAllowance? ingress, bool volumeHelper = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        var violations = new List<string>();
        var host = request.HostConfig ?? new HostConfig();
        if (ingress is not null)
        {
            violations.AddRange(ingress.Problems());
        }

        if (volumeHelper)
        {
            violations.AddRange(VolumeHelperAllowance.Problems(request));
        }

        if (host.Privileged)
        {
            violations.Add("privileged mode");
        }

        foreach (var bind in host.Binds ?? [])
        {
            var source = bind.Split(':')[0];
            if (ingress is not null && ingress.IsItsDataDirectory(bind))
            {
                continue;
            }

            if (!IsNamedVolume(source))
            {
                violations.Add($"host path '{source}' in binds");
            }
        }

        foreach (var mount in host.Mounts ?? [])
        {
            if (!string.Equals(mount.Type, "volume", StringComparison.OrdinalIgnoreCase) && !string.Equals(mount.Type, "tmpfs", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add($"{mount.Type} mount of '{mount.Source}'");
            }
            else if (string.Equals(mount.Type, "volume", StringComparison.OrdinalIgnoreCase) && (!IsNamedVolume(mount.Source ?? "") || mount.VolumeOptions?.DriverConfig is not null))
            {
                violations.Add($"volume mount '{mount.Source}' that is not a plain named volume");
            }
        }

        if (host.VolumesFrom is { Count: > 0 })
        {
            violations.Add("volumes from another container");
        }

        if (!(ingress is not null && string.Equals(host.NetworkMode, "host", StringComparison.Ordinal)))
        {
            CheckNamespace(violations, "network", host.NetworkMode);
        }

        CheckNamespace(violations, "pid", host.PidMode);
        CheckNamespace(violations, "ipc", host.IpcMode);
        CheckNamespace(violations, "uts", host.UTSMode);
        CheckNamespace(violations, "user", host.UsernsMode);
        CheckNamespace(violations, "cgroup", host.CgroupnsMode);

        foreach (var capability in host.CapAdd ?? [])
        {
            var bare = capability.Replace("CAP_", "", StringComparison.OrdinalIgnoreCase);
            if (!AllowedCapabilities.Contains(bare) && !(volumeHelper && VolumeHelperAllowance.Capabilities.Contains(bare)))
            {
                violations.Add($"capability {capability}");
            }
        }

        if (!(host.CapDrop ?? []).Any(c => string.Equals(c, "ALL", StringComparison.OrdinalIgnoreCase)))
        {
            violations.Add("capabilities not dropped (CapDrop must hold ALL)");
        }

        if ((host.Devices?.Count ?? 0) > 0 || (host.DeviceRequests?.Count ?? 0) > 0 || (host.DeviceCgroupRules?.Count ?? 0) > 0)
        {
            violations.Add("host devices");
        }

        foreach (var option in host.SecurityOpt ?? [])
        {
            var normalized = option.Replace(':', '=').ToLowerInvariant();
            if (normalized.EndsWith("=unconfined", StringComparison.Ordinal) || normalized == "label=disable")
            {
                violations.Add($"security option '{option}'");
            }
        }

        if (!(host.SecurityOpt ?? []).Any(o => o.StartsWith("no-new-privileges", StringComparison.OrdinalIgnoreCase) && !o.EndsWith("false", StringComparison.OrdinalIgnoreCase)))
        {
            violations.Add("no-new-privileges is not set");
        }

        if (host.PidsLimit is null or <= 0)
        {
            violations.Add("no pids limit");
        }

        if (host.Memory <= 0)
        {
            violations.Add("no memory limit");
        }

        return violations;
    }

    /// <summary>A named volume is a bare name: anything with a slash, a dot or a tilde is a host path.</summary>
    private static bool IsNamedVolume(string source) =>
        source.Length > 0 && char.IsAsciiLetterOrDigit(source[0]) && source.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !source.Contains("..", StringComparison.Ordinal);

    private static void CheckNamespace(List<string> violations, string name, string? mode)
    {
        if (mode is null)
        {
            return;
        }

        if (HostModes.Contains(mode, StringComparer.OrdinalIgnoreCase) || mode.StartsWith("container:", StringComparison.OrdinalIgnoreCase) || mode.StartsWith("ns:", StringComparison.OrdinalIgnoreCase))
        {
            violations.Add($"{name} namespace '{mode}'");
        }
    }
}

/// <summary>
/// What the ingress container alone may have beyond <see cref="ContainerPolicy"/> (README, "Public
/// services: the ingress"): the host's network, because it binds the HTTP and HTTPS ports and
/// reaches every environment's replicas while its admin API stays on the host's loopback; and one
/// bind of its own data directory at the same path, read-write (certificates, its config).
/// Nothing else: no other host path, every capability dropped but NET_BIND_SERVICE, no new
/// privileges, pids and memory limits, as for any container.
/// </summary>
public sealed record IngressAllowance(string DataDirectory)
{
    /// <summary>Whether a bind is exactly this data directory at the same path, read-write.</summary>
    public bool IsItsDataDirectory(string bind) =>
        Problems().Count == 0 && (bind == $"{DataDirectory}:{DataDirectory}" || bind == $"{DataDirectory}:{DataDirectory}:rw");

    /// <summary>A data directory that is not a plain absolute path below / is no allowance at all.</summary>
    public IReadOnlyList<string> Problems() =>
        string.IsNullOrEmpty(DataDirectory) || !Path.IsPathFullyQualified(DataDirectory) || DataDirectory.Contains(':', StringComparison.Ordinal)
            || Path.GetFullPath(DataDirectory) != DataDirectory || DataDirectory.TrimEnd('/').Length == 0 || DataDirectory.EndsWith('/')
            ? [$"ingress data directory '{DataDirectory}' is not a plain absolute directory path"]
            : [];
}

/// <summary>
/// What a volume backup's helper alone may have beyond <see cref="ContainerPolicy"/>: it copies a
/// service's volumes as they are, whoever owns each file and whatever its mode, so it keeps the
/// capabilities that read and write any file (DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID). In
/// exchange it has no network at all, and every other rule holds (no host path, no privileges).
/// </summary>
public static class VolumeHelperAllowance
{
    public const string NetworkMode = "none";

    public static readonly IReadOnlySet<string> Capabilities =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID" };

    public static IReadOnlyList<string> Problems(CreateContainerParameters request) =>
        request?.HostConfig?.NetworkMode == NetworkMode && request.NetworkingConfig?.EndpointsConfig is not { Count: > 0 }
            ? []
            : ["a volume helper must be on no network (NetworkMode none)"];
}
