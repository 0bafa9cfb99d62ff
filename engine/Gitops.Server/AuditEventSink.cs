using Gitops.Engine.Audit;
using Gitops.Engine.Events;

namespace Gitops.Server;

/// <summary>
/// The audit log's view of the loop's deploys: each finished deploy is one "apply" entry by
/// "system", with its outcome, its deployment id and, for a failure, its reason (a refused image
/// or build is a tenant's attempt the audit should show).
/// </summary>
internal sealed class AuditEventSink(AuditLog audit) : IEventSink
{
    private const int MaxReason = 300;

    public void Publish(PlatformEvent platformEvent)
    {
        ArgumentNullException.ThrowIfNull(platformEvent);
        if (platformEvent.Name == PlatformEvent.ServiceScaled)
        {
            audit.Append("system", "scale", $"{platformEvent.Project}/{platformEvent.Environment} service {platformEvent.Service}", $"{platformEvent.Detail} ({platformEvent.DeploymentId})");
            return;
        }

        var outcome = platformEvent.Name switch
        {
            PlatformEvent.DeploySucceeded => "applied",
            PlatformEvent.DeployRolledBack => "rolledback",
            PlatformEvent.DeployFailed => "failed",
            _ => null,
        };
        if (outcome is null)
        {
            return;
        }

        var result = $"{outcome} ({platformEvent.DeploymentId})";
        if (outcome != "applied" && platformEvent.Detail is { Length: > 0 } reason)
        {
            result += $": {(reason.Length > MaxReason ? reason[..MaxReason] + "…" : reason)}";
        }

        audit.Append("system", "apply", $"{platformEvent.Project}/{platformEvent.Environment} at {platformEvent.Revision?[..Math.Min(12, platformEvent.Revision.Length)]}", result);
    }
}
