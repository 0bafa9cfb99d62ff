using Gitops.Engine.Planning;
using Gitops.Schema.Model;

namespace Gitops.Engine.Observed;

/// <summary>What the engine reports for one project environment, read by ownership labels.</summary>
public sealed record ObservedState(
    bool NetworkExists,
    ValueList<string> Volumes,
    ValueList<ObservedContainer> Containers)
{
    public static readonly ObservedState Nothing = new(false, ValueList<string>.Empty, ValueList<ObservedContainer>.Empty);

    /// <summary>
    /// Whether the environment's network is walled off from every other (false: the target lost the
    /// walls, e.g. firewall rules gone with a reboot while the engine restarted the containers).
    /// A target whose networks are isolated by construction always reports true.
    /// </summary>
    public bool NetworkWalled { get; init; } = true;

    /// <summary>The ingress's routes of this environment (none without an ingress).</summary>
    public ValueList<ObservedRoute> Routes { get; init; } = ValueList<ObservedRoute>.Empty;

    /// <summary>
    /// Networks carrying this environment's labels under another name than its own (one made
    /// before names were unambiguous): removed once its containers moved to the current network.
    /// </summary>
    public ValueList<string> OtherNetworks { get; init; } = ValueList<string>.Empty;

    /// <summary>What the target calls a service and an environment's space, for plans people read (a Kubernetes plan says <c>deployment</c> and <c>namespace</c>).</summary>
    public string ServiceNoun { get; init; } = "service";

    /// <inheritdoc cref="ServiceNoun"/>
    public string NetworkNoun { get; init; } = "network";

    /// <summary>
    /// The target moves a service to a new spec in place (a Kubernetes Deployment's rollout): a
    /// changed spec is planned as an update (<c>~</c>), not as new instances replacing old ones.
    /// </summary>
    public bool UpdatesInPlace { get; init; }

    /// <summary>
    /// The target scales autoscaled services by itself (a HorizontalPodAutoscaler): instances up to
    /// <c>autoscale.max</c> are its business, not surplus. Elsewhere the platform's autoscaler sets the count.
    /// </summary>
    public bool ScalesItself { get; init; }

    /// <summary>
    /// Who is on each door network of the environment (<c>allowFrom</c> on the container family):
    /// door name → the names of the containers attached, whoever they belong to. Empty on targets
    /// without doors. The planner compares it with who may connect, so a container joined or
    /// removed by hand is drift the next apply repairs.
    /// </summary>
    public ValueMap<ValueList<string>> DoorMembers { get; init; } = ValueMap<ValueList<string>>.Empty;
}

/// <summary>A container the platform created (it carries the ownership labels).</summary>
public sealed record ObservedContainer(
    string Id,
    string Name,
    string Service,
    string Fingerprint,
    int Replica,
    bool Running)
{
    /// <summary><c>ip:port</c>-less address on the environment's network, when the engine reports one.</summary>
    public string? Address { get; init; }

    /// <summary>Whether it is attached to the environment's current network (false: it runs on an older one and is replaced).</summary>
    public bool OnNetwork { get; init; } = true;

    /// <summary>
    /// Fields of the instance's object that were changed on the target behind the platform's back
    /// (before: what runs, after: what the platform applied), for a target that can tell (Kubernetes).
    /// </summary>
    public ValueList<FieldChange> Drift { get; init; } = ValueList<FieldChange>.Empty;
}
