namespace Gitops.Engine.Scaling;

/// <summary>
/// One reading of an autoscaled service: the averages over its running replicas (CPU and memory
/// as a percent of their limits) and, from the ingress, its requests per second and 95th
/// percentile latency. A null is a reading the platform could not take (no route, no requests,
/// the first reading of a counter).
/// </summary>
public sealed record ServiceLoad(string Service, int Replicas)
{
    public double? CpuPercent { get; init; }

    public double? MemoryPercent { get; init; }

    public double? RequestsPerSecond { get; init; }

    public double? P95Ms { get; init; }

    /// <summary>One line for status: "cpu 83%, memory 12%, 130 req/s, p95 41 ms".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (CpuPercent is { } cpu)
        {
            parts.Add(FormattableString.Invariant($"cpu {cpu:0}%"));
        }

        if (MemoryPercent is { } memory)
        {
            parts.Add(FormattableString.Invariant($"memory {memory:0}%"));
        }

        if (RequestsPerSecond is { } rps)
        {
            parts.Add(FormattableString.Invariant($"{rps:0.#} req/s"));
        }

        if (P95Ms is { } p95)
        {
            parts.Add(FormattableString.Invariant($"p95 {p95:0} ms"));
        }

        return parts.Count == 0 ? "no readings yet" : string.Join(", ", parts);
    }
}
