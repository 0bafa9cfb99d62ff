using System.Globalization;
using Gitops.Schema.Model;

namespace Gitops.Engine.Scaling;

/// <summary>An autoscaled service as <c>paas status</c> shows it: its bounds, what it runs and why, and the last reading.</summary>
public sealed record ScaleStatus(int Min, int Max, string Targets)
{
    /// <summary>The autoscaler's last change, or null while the service runs at <c>min</c> as deployed.</summary>
    public ScaledTo? Last { get; init; }

    /// <summary>The last reading and what the autoscaler made of it, or null when no autoscaler has read it (no server runs).</summary>
    public ScaleReading? Reading { get; init; }

    public static ScaleStatus Of(Autoscale spec, ScaledTo? last, ScaleReading? reading)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var targets = new List<string>();
        if (spec.Cpu is { } cpu || (spec.Memory ?? spec.Rps ?? spec.P95Ms) is null)
        {
            targets.Add($"cpu {(spec.Cpu ?? Recommendation.DefaultCpuPercent).ToString(CultureInfo.InvariantCulture)}%");
        }

        if (spec.Memory is { } memory)
        {
            targets.Add($"memory {memory.ToString(CultureInfo.InvariantCulture)}%");
        }

        if (spec.Rps is { } rps)
        {
            targets.Add($"{rps.ToString(CultureInfo.InvariantCulture)} req/s per replica");
        }

        if (spec.P95Ms is { } p95)
        {
            targets.Add($"p95 {p95.ToString(CultureInfo.InvariantCulture)} ms");
        }

        return new ScaleStatus(spec.Min, spec.Max, string.Join(", ", targets)) { Last = last, Reading = reading };
    }

    /// <summary>"autoscale 1..3 on 20 req/s per replica; scaled up from 1 at 12:00:01 (…); 12:00:09: 61 req/s: holding".</summary>
    public string Describe()
    {
        var line = $"autoscale {Min.ToString(CultureInfo.InvariantCulture)}..{Max.ToString(CultureInfo.InvariantCulture)} on {Targets}";
        if (Last is { } last)
        {
            line += $"; {last.Replicas.ToString(CultureInfo.InvariantCulture)} since {Time(last.At)} ({last.Why})";
        }

        line += Reading is { } reading
            ? $"; read {Time(reading.At)}: {reading.Load}: {reading.Note}"
            : "; not measured yet: the server's autoscaler reads it every interval (nothing does without paas server)";
        return line;
    }

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
