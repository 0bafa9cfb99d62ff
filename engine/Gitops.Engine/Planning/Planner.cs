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
        nodes.AddRange(desired.Volumes.Select(v => VolumeNode(v, observed)));
        foreach (var service in InDependencyOrder(desired.Services))
        {
            nodes.Add(ServiceNode(service, desired, observed, recorded));
        }

        nodes.AddRange(PruneNodes(desired, observed, recorded));
        return new Plan(desired.Project, desired.Environment, desired.Revision, recorded.Version, new ValueList<PlanNode>(nodes));
    }

    /// <summary>Everything the environment runs goes; volumes stay unless <paramref name="volumes"/> (data needs opt-in).</summary>
    public static Plan Destroy(string project, string environment, ObservedState observed, RecordedState recorded, bool volumes)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(recorded);
        var empty = new DesiredState(project, environment, "destroy", Names.Network(project, environment), ValueList<string>.Empty, ValueList<DesiredService>.Empty);
        var nodes = PruneNodes(empty, observed, recorded).Select(n => n with { Cause = "destroy" }).ToList();
        var services = nodes.Select(n => n.Id).ToList();
        if (observed.NetworkExists)
        {
            nodes.Add(Node(ResourceKind.Network, empty.Network, PlanAction.Delete, "destroy") with { DependsOn = new ValueList<string>(services) });
        }

        if (volumes)
        {
            nodes.AddRange(observed.Volumes.Select(v => Node(ResourceKind.Volume, v, PlanAction.Delete, "destroy (--volumes)") with { DependsOn = new ValueList<string>(services) }));
        }

        return new Plan(project, environment, "destroy", recorded.Version, new ValueList<PlanNode>(nodes));
    }

    private static PlanNode NetworkNode(string network, ObservedState observed) =>
        observed.NetworkExists
            ? Node(ResourceKind.Network, network, PlanAction.NoOp, NoChange)
            : Node(ResourceKind.Network, network, PlanAction.Create, "not deployed yet");

    private static PlanNode VolumeNode(string volume, ObservedState observed) =>
        observed.Volumes.Contains(volume)
            ? Node(ResourceKind.Volume, volume, PlanAction.NoOp, NoChange)
            : Node(ResourceKind.Volume, volume, PlanAction.Create, "not deployed yet");

    private static PlanNode ServiceNode(DesiredService service, DesiredState desired, ObservedState observed, RecordedState recorded)
    {
        var containers = observed.Containers.Where(c => c.Service == service.Name).ToList();
        var current = containers.Where(c => c.Fingerprint == service.Fingerprint).ToList();
        var outdated = containers.Where(c => c.Fingerprint != service.Fingerprint).ToList();
        var healthy = current.Where(c => c.Running && c.Replica <= service.Replicas).Select(c => c.Replica).ToHashSet();
        var missing = Enumerable.Range(1, service.Replicas).Where(i => !healthy.Contains(i)).ToList();
        var stale = current.Where(c => !c.Running || c.Replica > service.Replicas).Select(c => c.Name).ToList();
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
            return node with
            {
                Action = PlanAction.Replace,
                Cause = SpecDiff.Cause(changes),
                Changes = new ValueList<FieldChange>(changes),
                Remove = new ValueList<string>(outdated.Select(c => c.Name).Concat(stale)),
                StopFirst = service.Strategy == DeployStrategy.Recreate,
            };
        }

        if (missing.Count == 0 && stale.Count == 0)
        {
            return node;
        }

        var recordedReplicas = recordedService?.Replicas ?? current.Count;
        var cause = recordedReplicas != service.Replicas
            ? $"replicas {recordedReplicas.ToString(CultureInfo.InvariantCulture)} → {service.Replicas.ToString(CultureInfo.InvariantCulture)}"
            : current.Any(c => !c.Running) ? "container stopped (drift)" : "container missing (drift)";
        return node with
        {
            Action = PlanAction.Update,
            Cause = cause,
            Remove = new ValueList<string>(stale),
            StopFirst = current.Any(c => !c.Running),
        };
    }

    /// <summary>Services that run but are no longer wanted: removed only when the inventory says they are ours.</summary>
    private static IEnumerable<PlanNode> PruneNodes(DesiredState desired, ObservedState observed, RecordedState recorded)
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
                }
                : Node(ResourceKind.Service, g.Key, PlanAction.NoOp, "not in manifest, but not in this environment's inventory either: left alone"));
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
