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
        Compare(changes, "restarted", before.Restarted, after.Restarted); // paas restart: the same version, fresh replicas
        return changes;
    }

    /// <summary>What changes in place beside the replicas: the scaling bounds, who may connect, each cron.</summary>
    public static List<FieldChange> Between(ServiceExtras before, ServiceExtras after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<FieldChange>();
        Compare(changes, "autoscale", Text(before.Autoscale), Text(after.Autoscale));
        Compare(changes, "allowFrom", Text(before.AllowFrom.Count == 0 ? null : before.AllowFrom), Text(after.AllowFrom.Count == 0 ? null : after.AllowFrom));
        Compare(changes, "allowedInto", Text(before.AllowedInto.Count == 0 ? null : before.AllowedInto), Text(after.AllowedInto.Count == 0 ? null : after.AllowedInto));
        foreach (var name in before.Crons.Select(c => c.Name).Union(after.Crons.Select(c => c.Name)).Order(StringComparer.Ordinal))
        {
            Compare(changes, $"cron {name}", Text(before.Crons.FirstOrDefault(c => c.Name == name)), Text(after.Crons.FirstOrDefault(c => c.Name == name)));
        }

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

    private static string? Text(Autoscale? autoscale) => autoscale is null ? null : string.Join(' ', new[]
    {
        $"{autoscale.Min.ToString(CultureInfo.InvariantCulture)}..{autoscale.Max.ToString(CultureInfo.InvariantCulture)} replicas",
        autoscale.Cpu is { } cpu ? $"cpu {cpu.ToString(CultureInfo.InvariantCulture)}%" : null,
        autoscale.Memory is { } memory ? $"memory {memory.ToString(CultureInfo.InvariantCulture)}%" : null,
        autoscale.P95Ms is { } p95 ? $"p95 {p95.ToString(CultureInfo.InvariantCulture)}ms" : null,
        autoscale.Rps is { } rps ? $"{rps.ToString(CultureInfo.InvariantCulture)} rps" : null,
    }.OfType<string>());

    private static string? Text(DesiredCron? cron) => cron is null
        ? null
        : $"{cron.Schedule}{(cron.TimeZone is { } zone ? $" ({zone})" : "")} {Text(cron.Command) ?? "(the service's command)"}, timeout {cron.Timeout}, concurrency {cron.Concurrency.ToString().ToLowerInvariant()}";

    private static string Cpu(int millicores) => millicores == 0 ? "unlimited" : new CpuQuantity(millicores).ToString();
}
