using Gitops.Engine.Desired;
using Gitops.Schema.Model;

namespace Gitops.Engine.Planning;

public enum PlanAction
{
    NoOp,
    Create,
    Update,
    Replace,
    Delete,
}

public enum ResourceKind
{
    Network,
    Volume,
    Service,

    /// <summary>An ingress route: a public service's host names → its healthy replicas.</summary>
    Route,
}

/// <summary>One field that differs between what runs and what is wanted.</summary>
public sealed record FieldChange(string Field, string? Before, string? After);

/// <summary>
/// One node of the plan: what happens to one resource and why. For services it also carries the
/// exact work, so the executor decides nothing: which replicas to start (from <see cref="Desired"/>)
/// and which containers to remove, and in which order.
/// </summary>
public sealed record PlanNode
{
    public required string Id { get; init; }

    public required ResourceKind Kind { get; init; }

    public required string Name { get; init; }

    public required PlanAction Action { get; init; }

    public required string Cause { get; init; }

    public ValueList<FieldChange> Changes { get; init; } = ValueList<FieldChange>.Empty;

    /// <summary>Ids of nodes that must be applied first.</summary>
    public ValueList<string> DependsOn { get; init; } = ValueList<string>.Empty;

    public DesiredService? Desired { get; init; }

    /// <summary>Replica indexes to start with the desired spec.</summary>
    public ValueList<int> Start { get; init; } = ValueList<int>.Empty;

    /// <summary>Container names to stop and remove.</summary>
    public ValueList<string> Remove { get; init; } = ValueList<string>.Empty;

    /// <summary>Remove before starting (recreate strategy, or a replica restarted under its own name).</summary>
    public bool StopFirst { get; init; }

    /// <summary>
    /// The route to set: on a route node, the route itself; on a service node, the route whose
    /// traffic moves to the new replicas (after their health check) before the old ones drain and stop.
    /// </summary>
    public DesiredRoute? Route { get; init; }
}

/// <summary>
/// A plan: nodes in the order they apply, stamped with the revision and the state version it was
/// computed from, so applying a saved plan after the state moved on is refused.
/// </summary>
public sealed record Plan(
    string Project,
    string Environment,
    string Revision,
    long StateVersion,
    ValueList<PlanNode> Nodes)
{
    public bool HasChanges => Nodes.Any(n => n.Action != PlanAction.NoOp);

    /// <summary>What the target calls a service (<c>deployment</c> on Kubernetes), as <see cref="PlanText"/> shows it.</summary>
    public string ServiceNoun { get; init; } = "service";

    /// <summary>What the target calls an environment's space (<c>namespace</c> on Kubernetes).</summary>
    public string NetworkNoun { get; init; } = "network";

    /// <summary>True when every service that exists would be deleted and none would remain.</summary>
    public bool DeletesEverything =>
        Nodes.Any(n => n.Kind == ResourceKind.Service && n.Action == PlanAction.Delete)
        && !Nodes.Any(n => n.Kind == ResourceKind.Service && n.Action != PlanAction.Delete);

    public int Count(PlanAction action) => Nodes.Count(n => n.Action == action);
}
