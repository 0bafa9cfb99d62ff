using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;

namespace Gitops.Engine.Scaling;

/// <summary>
/// Turns readings into each autoscaled service's load: CPU from two readings of each replica's CPU
/// time counter (as a percent of its <c>resources.cpu</c>, or of one CPU without one), memory as a
/// percent of its limit, requests and latency from the ingress's traffic on the service's route.
/// It remembers each replica's last reading, so the first pass knows no CPU yet.
/// </summary>
public sealed class LoadMeter
{
    private readonly Dictionary<string, ReplicaUsage> _last = new(StringComparer.Ordinal);

    public ServiceLoad Measure(DesiredState running, DesiredService service, IReadOnlyList<ReplicaUsage> usage, TrafficSample? traffic)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(usage);
        var replicas = usage.Where(u => u.Service == service.Name).ToList();
        var cores = service.Spec.CpuMillicores > 0 ? service.Spec.CpuMillicores / 1000.0 : 1.0;
        var cpu = new List<double>();
        foreach (var now in replicas)
        {
            if (_last.GetValueOrDefault(now.Name) is { } before && now.At > before.At && now.CpuTime >= before.CpuTime)
            {
                cpu.Add((now.CpuTime - before.CpuTime) / (now.At - before.At) / cores * 100);
            }

            _last[now.Name] = now;
        }

        var load = new ServiceLoad(service.Name, service.Replicas)
        {
            CpuPercent = cpu.Count > 0 ? cpu.Average() : null,
            MemoryPercent = replicas.Count > 0 && service.Spec.MemoryBytes > 0 ? replicas.Average(r => 100.0 * r.MemoryBytes / service.Spec.MemoryBytes) : null,
        };
        if (traffic is not null && running.RouteOf(service.Name) is { } route)
        {
            var (rps, p95) = traffic.Of(route.Domains);
            load = load with { RequestsPerSecond = rps, P95Ms = p95 };
        }

        return load;
    }

    /// <summary>Forgets replicas that no longer run.</summary>
    public void Keep(IEnumerable<ReplicaUsage> usage)
    {
        var running = usage.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _last.Keys.Where(k => !running.Contains(k)).ToList())
        {
            _last.Remove(gone);
        }
    }
}
