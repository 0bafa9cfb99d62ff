using System.Globalization;
using System.Text;

namespace Gitops.Engine.Planning;

/// <summary>
/// The plan as people read it, Terraform-style markers: <c>+</c> create, <c>~</c> update,
/// <c>-/+</c> replace, <c>-</c> delete. Stable: golden tests compare it to the letter.
/// Only secret names are in a plan, never their values.
/// </summary>
public static class PlanText
{
    public static string Render(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Plan for {plan.Project}/{plan.Environment} (revision {plan.Revision}, state version {plan.StateVersion})\n");
        foreach (var node in plan.Nodes.Where(n => n.Action != PlanAction.NoOp || n.Cause != Planner.NoChange))
        {
            var kind = node.Kind switch
            {
                ResourceKind.Service => plan.ServiceNoun,
                ResourceKind.Network => plan.NetworkNoun,
                _ => node.Kind.ToString().ToLowerInvariant(),
            };
            text.Append(CultureInfo.InvariantCulture, $"{Marker(node.Action),3} {kind,-7} {node.Name}{Detail(node)}: {node.Cause}\n");
            foreach (var change in node.Changes)
            {
                text.Append(CultureInfo.InvariantCulture, $"      ~ {change.Field}: {Show(change.Before)} → {Show(change.After)}\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture,
            $"Plan: {plan.Count(PlanAction.Create)} to create, {plan.Count(PlanAction.Update)} to update, {plan.Count(PlanAction.Replace)} to replace, {plan.Count(PlanAction.Delete)} to delete, {plan.Count(PlanAction.NoOp)} unchanged.\n");
        return text.ToString();
    }

    public static string Marker(PlanAction action) => action switch
    {
        PlanAction.Create => "+",
        PlanAction.Update => "~",
        PlanAction.Replace => "-/+",
        PlanAction.Delete => "-",
        _ => "!", // A no-op worth a look, e.g. an object left alone.
    };

    private static string Detail(PlanNode node)
    {
        var parts = new List<string>();
        if (node.Start.Count > 0)
        {
            parts.Add($"start {Count(node.Start.Count)}");
        }

        if (node.Remove.Count > 0)
        {
            parts.Add($"remove {Count(node.Remove.Count)}");
        }

        if (node.StopFirst && node.Remove.Count > 0 && node.Start.Count > 0)
        {
            parts.Add("stop first");
        }

        return parts.Count == 0 ? "" : $" [{string.Join(", ", parts)}]";

        static string Count(int n) => n == 1 ? "1 replica" : $"{n} replicas";
    }

    private static string Show(string? value) => value is null ? "(none)" : $"\"{value}\"";
}
