namespace Gitops.Engine.Ingress;

/// <summary>The requests one host name answered during a sample, and how long each took.</summary>
public sealed class HostTraffic
{
    public long Requests { get; set; }

    /// <summary>Each request's time in the ingress, in milliseconds (its upstream's answer included).</summary>
    public List<float> DurationsMs { get; } = [];
}

/// <summary>
/// What the ingress answered between two readings, per host name (without a port). The
/// autoscaler's request rate and latency come from here.
/// </summary>
public sealed record TrafficSample(TimeSpan Span, IReadOnlyDictionary<string, HostTraffic> Hosts)
{
    /// <summary>Requests per second and the 95th percentile time over <paramref name="hosts"/> (null without requests).</summary>
    public (double RequestsPerSecond, double? P95Ms) Of(IEnumerable<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var seen = hosts.Distinct(StringComparer.OrdinalIgnoreCase).Select(h => Hosts.GetValueOrDefault(h)).OfType<HostTraffic>().ToList();
        var requests = seen.Sum(h => h.Requests);
        var durations = seen.SelectMany(h => h.DurationsMs).Order().ToList();
        double? p95 = durations.Count == 0 ? null : durations[Math.Clamp((int)Math.Ceiling(durations.Count * 0.95) - 1, 0, durations.Count - 1)];
        return (Span > TimeSpan.Zero ? requests / Span.TotalSeconds : 0, p95);
    }
}
