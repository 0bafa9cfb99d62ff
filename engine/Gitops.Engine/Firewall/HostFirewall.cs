using System.Text.Json;
using Gitops.Engine.Host;

namespace Gitops.Engine.Firewall;

/// <summary>One difference between the firewall platform.yaml declares and the one on the host.</summary>
/// <param name="Sign">+ to add, - to remove, ~ to change.</param>
public sealed record FirewallChange(char Sign, string What)
{
    public override string ToString() => $"{Sign} {What}";
}

/// <summary>
/// The host's firewall table, read back and replaced: rules are known by their comments (each
/// rule's description), so what is on the host compares with what is declared, and a table removed
/// or edited behind the platform's back shows as changes to make.
/// </summary>
public static class HostFirewall
{
    /// <summary>The rules on the host as "chain: description", in order; null when the table is not there.</summary>
    public static async Task<IReadOnlyList<string>?> ObserveAsync(CancellationToken cancellationToken)
    {
        var (code, output, _) = await Nft.RunAsync(null, cancellationToken, "-j", "list", "table", "inet", FirewallRules.Table).ConfigureAwait(false);
        if (code != 0)
        {
            return null;
        }

        using var listing = JsonDocument.Parse(output);
        return listing.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(e => e.TryGetProperty("rule", out _))
            .Select(e => e.GetProperty("rule"))
            .Select(r => $"{r.GetProperty("chain").GetString()}: {(r.TryGetProperty("comment", out var c) ? c.GetString() : "(a rule the platform did not write)")}")
            .ToList();
    }

    /// <summary>What applying <paramref name="rules"/> would change on a host whose table holds <paramref name="observed"/> (null: no table).</summary>
    public static IReadOnlyList<FirewallChange> Plan(IReadOnlyList<FirewallRule> rules, IReadOnlyList<string>? observed)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var wanted = rules.Select(r => r.ToString()).ToList();
        if (observed is null)
        {
            return [new FirewallChange('+', $"table inet {FirewallRules.Table}: not on this host (never applied, or removed behind the platform's back)"),
                .. wanted.Select(w => new FirewallChange('+', w))];
        }

        if (wanted.SequenceEqual(observed, StringComparer.Ordinal))
        {
            return [];
        }

        var changes = observed.Except(wanted, StringComparer.Ordinal).Select(o => new FirewallChange('-', o))
            .Concat(wanted.Except(observed, StringComparer.Ordinal).Select(w => new FirewallChange('+', w)))
            .ToList();
        return changes.Count > 0 ? changes : [new FirewallChange('~', "the rules are in another order than declared")];
    }

    /// <summary>Replaces the table with <paramref name="rules"/> in one transaction.</summary>
    public static Task ApplyAsync(IReadOnlyList<FirewallRule> rules, CancellationToken cancellationToken) =>
        Nft.RequireAsync("applying the host firewall", FirewallRules.Script(rules), cancellationToken, "-f", "-");

    /// <summary>Removes the platform's table: the host's own rules, if any, are all that is left.</summary>
    public static Task RemoveAsync(CancellationToken cancellationToken) =>
        Nft.RequireAsync("removing the host firewall", FirewallRules.RemoveScript(), cancellationToken, "-f", "-");

    /// <summary>Applies the declared rules when the host's differ; the changes made (none: it was right).</summary>
    public static async Task<IReadOnlyList<FirewallChange>> EnsureAsync(FirewallConfig config, CancellationToken cancellationToken)
    {
        var rules = FirewallRules.For(config);
        var changes = Plan(rules, await ObserveAsync(cancellationToken).ConfigureAwait(false));
        if (changes.Count > 0)
        {
            await ApplyAsync(rules, cancellationToken).ConfigureAwait(false);
        }

        return changes;
    }
}
