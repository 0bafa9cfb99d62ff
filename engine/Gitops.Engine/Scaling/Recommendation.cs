using Gitops.Schema.Model;

namespace Gitops.Engine.Scaling;

/// <summary>How many replicas one reading asks for, and which reading decided it.</summary>
public sealed record Recommendation(int Replicas, string Why)
{
    /// <summary>A reading within this share of its target asks for no change (Kubernetes' tolerance too).</summary>
    public const double Tolerance = 0.1;

    /// <summary>The CPU target when the manifest names no metric (the HorizontalPodAutoscaler's default).</summary>
    public const int DefaultCpuPercent = 80;

    /// <summary>Whether the service scales on what its replicas use (CPU, memory; CPU when it names no metric): only those are read from the engine.</summary>
    public static bool ReadsUsage(Autoscale spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Cpu is not null || spec.Memory is not null || (spec.Rps is null && spec.P95Ms is null);
    }

    /// <summary>
    /// The replicas a reading asks for, between <c>min</c> and <c>max</c>: for CPU, memory and
    /// requests per second the count that would bring the reading per replica to its target (the
    /// HorizontalPodAutoscaler's rule); for latency one step out when above its target (at most
    /// doubling) and one in below half of it. The metric asking for the most decides. A pure function.
    /// </summary>
    public static Recommendation For(Autoscale spec, ServiceLoad load)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(load);
        var current = Math.Max(load.Replicas, 1);
        var votes = new List<(int Replicas, string Why)>();
        var cpuTarget = spec.Cpu ?? (spec.Memory is null && spec.Rps is null && spec.P95Ms is null ? DefaultCpuPercent : null);
        if (cpuTarget is { } cpu && load.CpuPercent is { } cpuUse)
        {
            votes.Add(Proportional(current, cpuUse / cpu, FormattableString.Invariant($"cpu {cpuUse:0}% of the limit per replica, target {cpu}%")));
        }

        if (spec.Memory is { } memory && load.MemoryPercent is { } memoryUse)
        {
            votes.Add(Proportional(current, memoryUse / memory, FormattableString.Invariant($"memory {memoryUse:0}% of the limit per replica, target {memory}%")));
        }

        if (spec.Rps is { } rps && load.RequestsPerSecond is { } rate)
        {
            var each = rate / current;
            votes.Add(Proportional(current, each / rps, FormattableString.Invariant($"{rate:0.#} req/s, {each:0.#} per replica, target {rps}")));
        }

        if (spec.P95Ms is { } p95 && load.P95Ms is { } latency)
        {
            var why = FormattableString.Invariant($"p95 {latency:0} ms, target {p95} ms");
            votes.Add(latency > p95 * (1 + Tolerance) ? (Math.Max(current + 1, (int)Math.Ceiling(current * Math.Min(latency / p95, 2))), why)
                : latency < p95 / 2.0 ? (current - 1, why)
                : (current, why));
        }

        if (votes.Count == 0)
        {
            return new Recommendation(spec.Clamp(load.Replicas), "no readings yet: holding");
        }

        var deciding = votes.MaxBy(v => v.Replicas);
        return new Recommendation(spec.Clamp(deciding.Replicas), deciding.Why);
    }

    private static (int, string) Proportional(int current, double ratio, string why) =>
        Math.Abs(ratio - 1) <= Tolerance ? (current, why) : ((int)Math.Ceiling(Math.Round(current * ratio, 6)), why);
}
