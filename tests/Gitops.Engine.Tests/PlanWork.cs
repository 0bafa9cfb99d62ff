using System.Globalization;
using System.Text;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;

namespace Gitops.Engine.Tests;

/// <summary>
/// The work a plan hands the executor, one line per node in apply order: action, replica indexes
/// to start, containers to remove, stop-first, dependencies. The rendered text plan only counts
/// replicas; this is what the golden files hold besides it, so that a planner starting the wrong
/// indexes, removing the new replica instead of the outdated one, or reordering nodes fails.
/// A removed container is named by what it is (service#replica, outdated or current, stopped),
/// looked up in the observed state, so the files stay readable and independent of name hashes.
/// </summary>
internal static class PlanWork
{
    public static string Render(Plan plan, ObservedState observed)
    {
        var byName = observed.Containers.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var text = new StringBuilder("Work, in the order it applies:\n");
        foreach (var node in plan.Nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {node.Id}: {node.Action.ToString().ToLowerInvariant()}");
            if (node.Start.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; start {string.Join(", ", node.Start.Select(i => $"#{i}"))}");
            }

            if (node.Remove.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; remove {string.Join(", ", node.Remove.Select(name => Describe(name, node, byName)))}");
            }

            if (node.StopFirst)
            {
                text.Append("; stop first");
            }

            if (node.Route is { } route)
            {
                text.Append(CultureInfo.InvariantCulture, $"; route {route.Id}");
            }

            if (node.DependsOn.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; after {string.Join(", ", node.DependsOn)}");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Describe(string name, PlanNode node, Dictionary<string, ObservedContainer> byName)
    {
        if (!byName.TryGetValue(name, out var container))
        {
            return $"{name} (not observed)";
        }

        var version = node.Desired is null ? "" : container.Fingerprint == node.Desired.Fingerprint ? " current" : " outdated";
        var running = container.Running ? "" : " stopped";
        return $"{container.Service}#{container.Replica}{version}{running}";
    }
}
