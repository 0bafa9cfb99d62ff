using Gitops.Engine.Audit;
using Gitops.Engine.State;

namespace Gitops.Cli;

/// <summary>Changes made on the local data directory are audited like the server's, with the machine user as the actor.</summary>
internal static class CliAudit
{
    public static void Record(StateStore state, string action, string target, string result = "ok") =>
        new AuditLog(state).Append($"cli:{Environment.UserName}", action, target, result);
}
