using System.ComponentModel;
using Gitops.Schema.Model;

namespace Gitops.Engine.Operations;

/// <summary>
/// <c>logs:</c> in platform.yaml: how long each kind of log is kept (FR-019). The audit log is never
/// pruned: it is the record of who did what, and its hash chain would break.
/// </summary>
public sealed record LogRetention
{
    [Description("A deployment's log (build output and steps) is kept this long after the deployment ended. Default 90d.")]
    public Duration Deploy { get; init; } = Duration.FromSeconds(90 * 86400);

    [Description("A cron run's output is kept this long after the run ended. Default 30d.")]
    public Duration Cron { get; init; } = Duration.FromSeconds(30 * 86400);

    [Description("Application output older than this is never shown or shipped (the engine's own files are capped by size). Default 7d.")]
    public Duration Runtime { get; init; } = Duration.FromSeconds(7 * 86400);

    public static readonly LogRetention Default = new();
}
