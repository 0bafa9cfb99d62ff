using System.Globalization;
using System.Text.Json;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// What a build's RUN steps get, as build-endpoint query parameters (README, "Builds"). Measured on
/// Docker 20.10 (classic builder, API 1.41) and Podman 4.3 (compat endpoint): both honour memory,
/// memswap, cpuperiod/cpuquota and cgroupparent; Docker honours networkmode with a network name or
/// "none"; Podman ignores networkmode for that and runs RUN steps in the HOST's network namespace
/// unless <c>nsoptions</c> says otherwise, and it takes a capability set (dropcaps/addcaps).
/// Neither endpoint sets no-new-privileges (Podman refuses it; Docker has no parameter), and
/// Docker's classic builder has no capability parameter: those stay the engine's defaults.
/// </summary>
public static class BuildPolicy
{
    public const long MemoryBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>One CPU: a quota of <see cref="CpuPeriod"/> per period.</summary>
    public const long CpuQuota = 100_000;

    public const long CpuPeriod = 100_000;

    /// <summary>Processes of one build at once, all RUN steps together (a cgroup the build's containers share).</summary>
    public const long PidsLimit = 1024;

    /// <summary>
    /// Capabilities a RUN step keeps on Podman: what package managers need to install files for
    /// other users (apt switches to _apt, dpkg sets file capabilities), without SETPCAP,
    /// SYS_CHROOT, NET_RAW, MKNOD or AUDIT_WRITE.
    /// </summary>
    public static readonly IReadOnlyList<string> Capabilities =
        ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP"];

    private static readonly string[] DropAll = ["ALL"];

    /// <summary>
    /// The policy's query parameters. <paramref name="network"/> names the build's own network
    /// (null with <see cref="BuildNetwork.None"/>); <paramref name="cgroupParent"/> is the cgroup
    /// holding the pids limit, or null where the platform could not make one.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Query(EngineKind kind, BuildNetwork mode, string? network, string? cgroupParent)
    {
        if (mode == BuildNetwork.Isolated && string.IsNullOrEmpty(network))
        {
            throw new ArgumentException("an isolated build needs the name of its network", nameof(network));
        }

        var query = new List<KeyValuePair<string, string>>
        {
            new("memory", MemoryBytes.ToString(CultureInfo.InvariantCulture)),
            new("memswap", MemoryBytes.ToString(CultureInfo.InvariantCulture)), // no swap beyond the memory limit
            new("cpuperiod", CpuPeriod.ToString(CultureInfo.InvariantCulture)),
            new("cpuquota", CpuQuota.ToString(CultureInfo.InvariantCulture)),
        };
        if (cgroupParent is not null)
        {
            query.Add(new("cgroupparent", cgroupParent));
        }

        if (kind == EngineKind.Podman)
        {
            // Without nsoptions Podman's build API puts RUN steps in the host's network namespace,
            // whatever networkmode says. Path names the network to join; "1" (NetworkDisabled) turns it off.
            var joined = mode == BuildNetwork.None ? new { Name = "network", Host = false, Path = "" } : new { Name = "network", Host = false, Path = network! };
            query.Add(new("nsoptions", JsonSerializer.Serialize(new[] { joined })));
            if (mode == BuildNetwork.None)
            {
                query.Add(new("networkmode", "1"));
            }

            query.Add(new("dropcaps", JsonSerializer.Serialize(DropAll)));
            query.Add(new("addcaps", JsonSerializer.Serialize(Capabilities)));
        }
        else
        {
            query.Add(new("networkmode", mode == BuildNetwork.None ? "none" : network!));
        }

        return query;
    }
}
