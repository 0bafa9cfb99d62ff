using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;

namespace Gitops.Providers.Docker;

/// <summary>
/// What running containers use, from the engine's stats: one reading each, without the second's wait
/// <c>docker stats</c> makes (the autoscaler's own readings an interval apart give the rate). Docker,
/// Podman and a swarm node's task containers all answer <c>one-shot</c> readings with the CPU time
/// counter and memory.
/// </summary>
internal static class EngineUsage
{
    /// <summary>The running containers of <paramref name="services"/>, read in parallel; those gone meanwhile are left out.</summary>
    public static async Task<IReadOnlyList<ReplicaUsage>> ReadAsync(DockerClient client, IEnumerable<ContainerListResponse> containers, IReadOnlySet<string> services, CancellationToken cancellationToken)
    {
        var running = containers
            .Where(c => c.Labels.TryGetValue(Labels.Service, out var service) && services.Contains(service) && string.Equals(c.State, "running", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var readings = await Task.WhenAll(running.Select(c => ReadOneAsync(client, c, cancellationToken))).ConfigureAwait(false);
        return readings.OfType<ReplicaUsage>().ToList();
    }

    private static async Task<ReplicaUsage?> ReadOneAsync(DockerClient client, ContainerListResponse container, CancellationToken cancellationToken)
    {
        var latest = new Latest();
        try
        {
            await client.Containers.GetContainerStatsAsync(container.ID, new ContainerStatsParameters { Stream = false, OneShot = true }, latest, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null; // removed meanwhile
        }

        var reading = latest.Value;
        if (reading?.CPUStats?.CPUUsage is not { } cpu || reading.MemoryStats is not { } memory)
        {
            return null; // stopping: the engine has no counters for it
        }

        return new ReplicaUsage(
            container.Names.First().TrimStart('/'),
            container.Labels[Labels.Service],
            container.Labels.TryGetValue(Labels.Replica, out var index) && int.TryParse(index, CultureInfo.InvariantCulture, out var replica) ? replica : 0,
            TimeSpan.FromTicks((long)(cpu.TotalUsage / 100)),
            (long)WorkingSet(memory),
            reading.Read == default ? DateTimeOffset.UtcNow : new DateTimeOffset(reading.Read.ToUniversalTime()));
    }

    /// <summary>In use without the page cache the kernel can drop (cgroup v2 names it <c>inactive_file</c>, v1 <c>total_inactive_file</c>), as <c>docker stats</c> shows it.</summary>
    private static ulong WorkingSet(MemoryStats memory)
    {
        var stats = memory.Stats ?? new Dictionary<string, ulong>();
        var cache = stats.TryGetValue("inactive_file", out var v2) ? v2 : stats.TryGetValue("total_inactive_file", out var v1) ? v1 : 0;
        var usage = memory.Usage ?? 0;
        return usage > cache ? usage - cache : usage;
    }

    /// <summary>Keeps the reading where the call returns it (<see cref="Progress{T}"/> would hand it over later, on another thread).</summary>
    private sealed class Latest : IProgress<ContainerStatsResponse>
    {
        public ContainerStatsResponse? Value { get; private set; }

        public void Report(ContainerStatsResponse value) => Value = value;
    }
}
