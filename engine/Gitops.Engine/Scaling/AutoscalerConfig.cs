using System.ComponentModel;
using Gitops.Schema.Model;

namespace Gitops.Engine.Scaling;

/// <summary>
/// <c>autoscaler:</c> in platform.yaml: how often the platform's autoscaler measures and how
/// eagerly it moves. The defaults are Kubernetes' HorizontalPodAutoscaler's: up at once, down only
/// after five minutes in which no reading asked for more.
/// </summary>
public sealed record AutoscalerConfig
{
    [Description("How often services are measured and a decision taken. Default 15s.")]
    public Duration Interval { get; init; } = Duration.FromSeconds(15);

    [Description("A service scales down only to the most replicas any reading in this window asked for. Default 5m.")]
    public Duration ScaleDownWindow { get; init; } = Duration.FromSeconds(300);

    [Description("After a change, no scaling up again for this long (new replicas need time to take their share). Default 30s.")]
    public Duration Cooldown { get; init; } = Duration.FromSeconds(30);

    public static readonly AutoscalerConfig Default = new();
}
