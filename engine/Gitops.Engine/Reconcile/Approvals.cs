using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Reconcile;

/// <summary>A plan waiting for a person: which commit, and what it would change.</summary>
public sealed record PendingApproval(string Project, string Environment, string Commit, string PlanText, bool Approved);

/// <summary>
/// Approvals for environments with <c>approval: required</c>. The loop records the commit it
/// planned; <c>paas approve</c> approves exactly that commit, so a newer push needs a new approval.
/// </summary>
public sealed class Approvals(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _approvals = state.Collection("approvals");

    /// <returns>True when the commit waits from now on (false: it was waiting already).</returns>
    public bool Wait(string project, string environment, string commit, string planText)
    {
        var current = Pending(project, environment);
        if (current is { } pending && pending.Commit == commit)
        {
            return false;
        }

        _approvals.Upsert(new BsonDocument { ["_id"] = $"{project}/{environment}", ["commit"] = commit, ["plan"] = planText, ["approved"] = false });
        state.Flush();
        return true;
    }

    public PendingApproval? Pending(string project, string environment) =>
        _approvals.FindById($"{project}/{environment}") is { } d
            ? new PendingApproval(project, environment, d["commit"].AsString, d["plan"].AsString, d["approved"].AsBoolean)
            : null;

    /// <summary>Approves the waiting commit; returns it, or null when nothing waits.</summary>
    public PendingApproval? Approve(string project, string environment)
    {
        var document = _approvals.FindById($"{project}/{environment}");
        if (document is null)
        {
            return null;
        }

        document["approved"] = true;
        _approvals.Update(document);
        state.Flush();
        return Pending(project, environment);
    }

    public bool IsApproved(string project, string environment, string commit) =>
        Pending(project, environment) is { Approved: true } approval && approval.Commit == commit;
}
