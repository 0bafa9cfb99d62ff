using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Schema.Model;

namespace Gitops.Engine.Planning;

/// <summary>Field-level differences between two service specs, in a stable order.</summary>
public static class SpecDiff
{
    public static List<FieldChange> Between(ServiceSpec before, ServiceSpec after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<FieldChange>();
        Compare(changes, "image", before.Image, after.Image);
        Compare(changes, "command", Text(before.Command), Text(after.Command));
        Maps(changes, "env", before.Env, after.Env);
        Compare(changes, "secrets", Text(before.Secrets), Text(after.Secrets));
        foreach (var name in before.SecretVersions.Keys.Intersect(after.SecretVersions.Keys).Order(StringComparer.Ordinal))
        {
            Compare(changes, $"secret {name}", before.SecretVersions[name], after.SecretVersions[name]);
        }
        Compare(changes, "port", before.Port?.ToString(CultureInfo.InvariantCulture), after.Port?.ToString(CultureInfo.InvariantCulture));
        Compare(changes, "health", before.Health?.ToString(), after.Health?.ToString());
        Compare(changes, "resources.cpu", Cpu(before.CpuMillicores), Cpu(after.CpuMillicores));
        Compare(changes, "resources.memory", new ByteSize(before.MemoryBytes).ToString(), new ByteSize(after.MemoryBytes).ToString());
        Compare(changes, "readOnly", before.ReadOnly.ToString(), after.ReadOnly.ToString());
        Compare(changes, "sandbox", before.Sandbox.ToString().ToLowerInvariant(), after.Sandbox.ToString().ToLowerInvariant());
        Compare(changes, "placement", Text(before.Placement), Text(after.Placement));
        Maps(changes, "volumes", before.Mounts, after.Mounts);
        return changes;
    }

    /// <summary>The plan's one-line cause: "image changed", "env LOG_LEVEL changed", ...</summary>
    public static string Cause(IReadOnlyList<FieldChange> changes) =>
        changes.Count == 0 ? "spec changed" : string.Join(", ", changes.Select(c => $"{c.Field.Replace('.', ' ')} changed"));

    private static void Maps(List<FieldChange> changes, string field, ValueMap<string> before, ValueMap<string> after)
    {
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            Compare(changes, $"{field}.{key}", before.GetValueOrDefault(key), after.GetValueOrDefault(key));
        }
    }

    private static void Compare(List<FieldChange> changes, string field, string? before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            changes.Add(new FieldChange(field, before, after));
        }
    }

    private static string? Text(ValueList<string>? list) => list is null ? null : $"[{string.Join(", ", list)}]";

    private static string Cpu(int millicores) => millicores == 0 ? "unlimited" : new CpuQuantity(millicores).ToString();
}
