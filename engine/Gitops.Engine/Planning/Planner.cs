using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Engine.Planning;

/// <summary>
/// Plan(desired, observed, recorded): a pure function (DESIGN §3 rule 2). It looks at what runs,
/// compares it with what is wanted, and says what to do to each resource and why. No engine,
/// no clock, no randomness: the same inputs give the same plan.
/// </summary>
public static class Planner
{
    public const string NoChange = "no change";

    public static Plan Plan(DesiredState desired, ObservedState observed, RecordedState recorded)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(recorded);
        var nodes = new List<PlanNode> { NetworkNode(desired.Network, observed) };
        // A volume lives in its environment (a Kubernetes claim in its namespace): made after the network, never beside it.
        nodes.AddRange(desired.Volumes.Select(v => VolumeNode(v, observed) with { DependsOn = new ValueList<string>([Id(ResourceKind.Network, desired.Network)]) }));
        foreach (var service in InDependencyOrder(desired.Services))
        {
            var node = ServiceNode(service, desired, observed, recorded);
            var route = desired.RouteOf(service.Name);
            var routed = route is not null && observed.Routes.Any(r => r.Id == route.Id);
            nodes.Add(routed && node.Action != PlanAction.NoOp ? node with { Route = route } : node);
            if (route is not null)
            {
                nodes.Add(RouteNode(route, service, nodes[^1], observed));
            }
        }

        var unrouted = RoutePruneNodes(desired.Routes, observed).ToList();
        nodes.AddRange(unrouted);
        nodes.AddRange(PruneNodes(desired, observed, recorded, unrouted));
        nodes.AddRange(OtherNetworkNodes(observed, nodes, $"replaced by {desired.Network}"));
        return new Plan(desired.Project, desired.Environment, desired.Revision, recorded.Version, new ValueList<PlanNode>(nodes)) { ServiceNoun = observed.ServiceNoun, NetworkNoun = observed.NetworkNoun };
    }

    /// <summary>Everything the environment runs goes; volumes stay unless <paramref name="volumes"/> (data needs opt-in).</summary>
    public static Plan Destroy(string project, string environment, ObservedState observed, RecordedState recorded, bool volumes)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(recorded);
        var empty = new DesiredState(project, environment, "destroy", Names.Network(project, environment), ValueList<string>.Empty, ValueList<DesiredService>.Empty);
        var routes = RoutePruneNodes(ValueList<DesiredRoute>.Empty, observed).Select(n => n with { Cause = "destroy" }).ToList();
        var nodes = routes.Concat(PruneNodes(empty, observed, recorded, routes).Select(n => n with { Cause = "destroy" })).ToList();
        var services = nodes.Where(n => n.Kind == ResourceKind.Service).Select(n => n.Id).ToList();
        var going = volumes
            ? observed.Volumes.Select(v => Node(ResourceKind.Volume, v, PlanAction.Delete, "destroy (--volumes)") with { DependsOn = new ValueList<string>(services) }).ToList()
            : [];
        nodes.AddRange(going);
        if (observed.NetworkExists)
        {
            // After the volumes that go: a target whose volumes live in the environment's space (a namespace) keeps it while data stays.
            nodes.Add(Node(ResourceKind.Network, empty.Network, PlanAction.Delete, "destroy") with { DependsOn = new ValueList<string>(services.Concat(going.Select(v => v.Id))) });
        }

        nodes.AddRange(OtherNetworkNodes(observed, nodes, "destroy"));

        return new Plan(project, environment, "destroy", recorded.Version, new ValueList<PlanNode>(nodes)) { ServiceNoun = observed.ServiceNoun, NetworkNoun = observed.NetworkNoun };
    }

    private static PlanNode NetworkNode(string network, ObservedState observed) =>
        !observed.NetworkExists ? Node(ResourceKind.Network, network, PlanAction.Create, "not deployed yet")
        : !observed.NetworkWalled ? Node(ResourceKind.Network, network, PlanAction.Update, "not walled off from other networks (drift: its firewall rules are gone)")
        : Node(ResourceKind.Network, network, PlanAction.NoOp, NoChange);

    private static PlanNode VolumeNode(string volume, ObservedState observed) =>
        observed.Volumes.Contains(volume)
            ? Node(ResourceKind.Volume, volume, PlanAction.NoOp, NoChange)
            : Node(ResourceKind.Volume, volume, PlanAction.Create, "not deployed yet");

    private static PlanNode ServiceNode(DesiredService service, DesiredState desired, ObservedState observed, RecordedState recorded)
    {
        var containers = observed.Containers.Where(c => c.Service == service.Name).ToList();
        var current = containers.Where(c => c.Fingerprint == service.Fingerprint && c.OnNetwork).ToList();
        var outdated = containers.Where(c => c.Fingerprint != service.Fingerprint || !c.OnNetwork).ToList();
        var healthy = current.Where(c => c.Running && c.Replica <= service.Replicas).Select(c => c.Replica).ToHashSet();
        var missing = Enumerable.Range(1, service.Replicas).Where(i => !healthy.Contains(i)).ToList();
        // A target that scales by itself may run up to the maximum; elsewhere the count is the autoscaler's, already in Replicas.
        var most = observed.ScalesItself ? service.Extras.Autoscale?.Max ?? service.Replicas : service.Replicas;
        var stale = current.Where(c => !c.Running || c.Replica > most).Select(c => c.Name).ToList();
        var recordedService = recorded.Services.GetValueOrDefault(service.Name);

        var node = Node(ResourceKind.Service, service.Name, PlanAction.NoOp, NoChange) with
        {
            Desired = service,
            DependsOn = new ValueList<string>(
                new[] { Id(ResourceKind.Network, desired.Network) }
                    .Concat(service.Spec.Mounts.Keys.Select(v => Id(ResourceKind.Volume, v)))
                    .Concat(service.DependsOn.Select(d => Id(ResourceKind.Service, d)))),
            Start = new ValueList<int>(missing),
        };

        if (containers.Count == 0 && recordedService is null)
        {
            return node with { Action = PlanAction.Create, Cause = "not deployed yet" };
        }

        if (outdated.Count > 0 || (recordedService is not null && recordedService.Fingerprint != service.Fingerprint && current.Count == 0))
        {
            var changes = recordedService is not null && recordedService.Fingerprint != service.Fingerprint
                ? SpecDiff.Between(recordedService.Spec, service.Spec)
                : [];
            var extrasToo = recordedService is null ? [] : SpecDiff.Between(recordedService.Extras, service.Extras);
            var moves = changes.Count == 0 && outdated.Count > 0 && outdated.All(c => c.Fingerprint == service.Fingerprint);
            return node with
            {
                Action = observed.UpdatesInPlace ? PlanAction.Update : PlanAction.Replace,
                Cause = moves ? $"moves to network {desired.Network}" : SpecDiff.Cause(changes),
                Changes = new ValueList<FieldChange>(changes.Concat(extrasToo)),
                Remove = new ValueList<string>(outdated.Select(c => c.Name).Concat(stale)),
                StopFirst = service.Strategy == DeployStrategy.Recreate,
            };
        }

        // Fields changed on the target behind the platform's back (a kubectl edit): shown, then put back.
        var drift = current.SelectMany(c => c.Drift).DistinctBy(c => c.Field, StringComparer.Ordinal).Concat(DoorDrift(service, desired, observed)).ToList();
        var extras = recordedService is null ? [] : SpecDiff.Between(recordedService.Extras, service.Extras);
        if (missing.Count == 0 && stale.Count == 0 && drift.Count == 0 && extras.Count == 0)
        {
            return node;
        }

        var recordedReplicas = recordedService?.Replicas ?? current.Count;
        var cause = recordedReplicas != service.Replicas
            ? $"replicas {recordedReplicas.ToString(CultureInfo.InvariantCulture)} → {service.Replicas.ToString(CultureInfo.InvariantCulture)}"
            : extras.Count > 0 ? SpecDiff.Cause(extras)
            : drift.Count > 0 ? "changed outside the platform (drift)"
            : current.Any(c => !c.Running) ? "container stopped (drift)" : "container missing (drift)";
        return node with
        {
            Action = PlanAction.Update,
            Cause = cause,
            Changes = new ValueList<FieldChange>(extras.Concat(drift)),
            Remove = new ValueList<string>(stale),
            StopFirst = current.Any(c => !c.Running),
        };
    }

    /// <summary>
    /// Doors whose members are not who may connect (<c>allowFrom</c> on the container family): a
    /// container on the service's door that is neither its replica nor a listed client's, or a
    /// running replica missing from a door it may enter. Someone joined or left by hand; the
    /// service's settle step puts it back.
    /// </summary>
    private static IEnumerable<FieldChange> DoorDrift(DesiredService service, DesiredState desired, ObservedState observed)
    {
        if (service.Extras.AllowFrom.Count > 0 && observed.DoorMembers.GetValueOrDefault(Names.Door(desired.Project, desired.Environment, service.Name)) is { } members)
        {
            var allowed = observed.Containers.Where(c => c.Service == service.Name || service.Extras.AllowFrom.Contains(c.Service)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var strangers = members.Where(m => !allowed.Contains(m)).ToList();
            if (strangers.Count > 0)
            {
                yield return new FieldChange("who may connect", $"also {string.Join(", ", strangers)}", $"only {service.Name} and [{string.Join(", ", service.Extras.AllowFrom)}]");
            }
        }

        foreach (var other in service.Extras.AllowedInto)
        {
            var door = Names.Door(desired.Project, desired.Environment, other);
            if (observed.DoorMembers.GetValueOrDefault(door) is { } on
                && observed.Containers.Where(c => c.Service == service.Name && c.Running && c.Fingerprint == service.Fingerprint && !on.Contains(c.Name)).Select(c => c.Name).ToList() is { Count: > 0 } outside)
            {
                yield return new FieldChange("who may connect", $"{string.Join(", ", outside)} not let in to {other}", $"let in to {other}");
            }
        }
    }

    /// <summary>
    /// A route follows its service: created once the service runs; updated when its domains change,
    /// or when its upstreams are not the service's running replicas while the service itself is
    /// unchanged (someone edited the ingress: drift).
    /// </summary>
    private static PlanNode RouteNode(DesiredRoute route, DesiredService service, PlanNode serviceNode, ObservedState observed)
    {
        var node = Node(ResourceKind.Route, route.Service, PlanAction.NoOp, NoChange) with { Route = route, Desired = service, DependsOn = new ValueList<string>([serviceNode.Id]) };
        var current = observed.Routes.FirstOrDefault(r => r.Id == route.Id);
        if (current is null)
        {
            return node with { Action = PlanAction.Create, Cause = $"not routed yet: {string.Join(", ", route.Domains)}" };
        }

        if (!current.Domains.Equals(route.Domains))
        {
            return node with
            {
                Action = PlanAction.Update,
                Cause = "domains changed",
                Changes = new ValueList<FieldChange>([new FieldChange("domains", string.Join(", ", current.Domains), string.Join(", ", route.Domains))]),
            };
        }

        var expected = observed.Containers
            .Where(c => c.Service == route.Service && c.Running && c.Fingerprint == service.Fingerprint && c.Address is not null)
            .Select(c => $"{c.Address}:{route.Port.ToString(CultureInfo.InvariantCulture)}")
            .Order(StringComparer.Ordinal);
        return serviceNode.Action == PlanAction.NoOp && !expected.SequenceEqual(current.Upstreams.Order(StringComparer.Ordinal), StringComparer.Ordinal)
            ? node with { Action = PlanAction.Update, Cause = "upstreams are not the running replicas (drift)" }
            : node;
    }

    /// <summary>Routes of this environment the ingress holds but nothing wants: the route ids say they are ours.</summary>
    private static IEnumerable<PlanNode> RoutePruneNodes(ValueList<DesiredRoute> wanted, ObservedState observed) =>
        observed.Routes
            .Where(r => wanted.All(w => w.Id != r.Id))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => Node(ResourceKind.Route, r.Service, PlanAction.Delete, "not public in the manifest (prune)") with
            {
                Route = new DesiredRoute(r.Id, r.Service, r.Domains, 0),
            });

    /// <summary>Services that run but are no longer wanted: removed only when the inventory says they are ours, after their route is gone.</summary>
    private static IEnumerable<PlanNode> PruneNodes(DesiredState desired, ObservedState observed, RecordedState recorded, IReadOnlyList<PlanNode> unrouted)
    {
        var wanted = desired.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var inventory = recorded.Inventory.ToHashSet(StringComparer.Ordinal);
        return observed.Containers
            .Where(c => !wanted.Contains(c.Service))
            .GroupBy(c => c.Service, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.All(c => inventory.Contains(c.Name))
                ? Node(ResourceKind.Service, g.Key, PlanAction.Delete, "not in manifest (prune)") with
                {
                    Remove = new ValueList<string>(g.Select(c => c.Name).Order(StringComparer.Ordinal)),
                    DependsOn = new ValueList<string>(unrouted.Where(r => r.Name == g.Key).Select(r => r.Id)),
                }
                : Node(ResourceKind.Service, g.Key, PlanAction.NoOp, "not in manifest, but not in this environment's inventory either: left alone"));
    }

    /// <summary>The environment's networks under an older name go after every service node (their containers moved or left).</summary>
    private static IEnumerable<PlanNode> OtherNetworkNodes(ObservedState observed, List<PlanNode> nodes, string cause)
    {
        var services = new ValueList<string>(nodes.Where(n => n.Kind == ResourceKind.Service).Select(n => n.Id));
        return observed.OtherNetworks
            .Order(StringComparer.Ordinal)
            .Select(n => Node(ResourceKind.Network, n, PlanAction.Delete, cause) with { DependsOn = services });
    }

    /// <summary>Services after the ones they depend on; ties broken by name so the order is stable.</summary>
    private static List<DesiredService> InDependencyOrder(ValueList<DesiredService> services)
    {
        var byName = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var ordered = new List<DesiredService>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            Visit(service, []);
        }

        return ordered;

        void Visit(DesiredService service, HashSet<string> path)
        {
            if (done.Contains(service.Name) || !path.Add(service.Name))
            {
                return; // Cycles are refused by the validator; this only keeps a bad input from looping.
            }

            foreach (var dependency in service.DependsOn.Order(StringComparer.Ordinal))
            {
                if (byName.TryGetValue(dependency, out var next))
                {
                    Visit(next, path);
                }
            }

            done.Add(service.Name);
            ordered.Add(service);
        }
    }

    public static string Id(ResourceKind kind, string name) => $"{kind.ToString().ToLowerInvariant()}/{name}";

    private static PlanNode Node(ResourceKind kind, string name, PlanAction action, string cause) =>
        new() { Id = Id(kind, name), Kind = kind, Name = name, Action = action, Cause = cause };
}
