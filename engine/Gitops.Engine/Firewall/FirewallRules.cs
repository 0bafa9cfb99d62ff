using System.Globalization;
using System.Net;
using System.Text;

namespace Gitops.Engine.Firewall;

/// <param name="Chain"><c>input</c> (to the host) or <c>forward</c> (through it, to a published container port).</param>
/// <param name="Statement">The nftables rule.</param>
/// <param name="Description">What it does, as the plan shows it; also the rule's comment, so the rules on the host can be read back.</param>
public sealed record FirewallRule(string Chain, string Statement, string Description)
{
    public override string ToString() => $"{Chain}: {Description}";
}

/// <summary>
/// The host firewall as nftables rules, a pure function of <see cref="FirewallConfig"/>: a table of
/// the platform's own (<c>inet paas_firewall</c>) whose input and forward chains hook in before
/// anyone's iptables rules (priority filter - 10; a drop in any base chain is final). Input: replies,
/// ICMP and the allowed ports pass, the rest is dropped. Forward: a new connection arriving from
/// outside reaches a container only through an allowed port (matched before the engine's
/// address translation, <c>ct original proto-dst</c>): ports an engine publishes are closed unless listed.
/// </summary>
public static class FirewallRules
{
    public const string Table = "paas_firewall";

    /// <summary>Not governed by default: loopback and the container engines' bridges (the network walls govern those).</summary>
    public static readonly IReadOnlyList<string> Unmanaged = ["lo", "docker0", "br-*", "podman*", "cni-podman*", "docker_gwbridge", "veth*"];

    public static IReadOnlyList<FirewallRule> For(FirewallConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var rules = new List<FirewallRule>();
        foreach (var chain in new[] { "input", "forward" })
        {
            rules.Add(config.Interfaces.Count > 0
                ? new FirewallRule(chain, $"iifname != {Set(config.Interfaces)} return", $"governs {string.Join(", ", config.Interfaces)} only")
                : new FirewallRule(chain, $"iifname {Set(Unmanaged)} return", "governs every interface but loopback and container bridges"));
            rules.Add(new FirewallRule(chain, "ct state established,related accept", "replies pass"));
            if (chain == "input")
            {
                rules.Add(new FirewallRule(chain, "ct state invalid drop", "drop invalid packets"));
                rules.Add(new FirewallRule(chain, "meta l4proto { icmp, ipv6-icmp } accept", "ICMP passes (ping, path MTU, IPv6 neighbours)"));
            }

            foreach (var allow in config.Allow)
            {
                var protocol = allow.Protocol == FirewallProtocol.Udp ? "udp" : "tcp";
                var port = PortText(allow.Port);
                foreach (var source in allow.From.Count == 0 ? [null] : allow.From.Select(f => (string?)f))
                {
                    var from = source is null ? "" : $" {(IsIpv6(source) ? "ip6" : "ip")} saddr {source}";
                    var match = chain == "input" ? $"{protocol} dport {port}" : $"meta l4proto {protocol} ct original proto-dst {port}";
                    rules.Add(new FirewallRule(chain, $"{match}{from} accept", $"allow {protocol} {port} from {source ?? "anywhere"}{(chain == "forward" ? " to a published container port" : "")}"));
                }
            }

            rules.Add(chain == "input"
                ? new FirewallRule(chain, "drop", "drop everything else")
                : new FirewallRule(chain, "ct state new drop", "drop new connections to published container ports not allowed"));
        }

        return rules;
    }

    /// <summary>One nft transaction: the table is replaced whole, so no moment has half a firewall.</summary>
    public static string Script(IReadOnlyList<FirewallRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var script = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"table inet {Table}")
            .AppendLine(CultureInfo.InvariantCulture, $"delete table inet {Table}")
            .AppendLine(CultureInfo.InvariantCulture, $"table inet {Table} {{");
        foreach (var chain in rules.GroupBy(r => r.Chain))
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"  chain {chain.Key} {{")
                .AppendLine(CultureInfo.InvariantCulture, $"    type filter hook {chain.Key} priority filter - 10; policy accept;");
            foreach (var rule in chain)
            {
                script.AppendLine(CultureInfo.InvariantCulture, $"    {rule.Statement} comment \"{rule.Description}\"");
            }

            script.AppendLine("  }");
        }

        return script.AppendLine("}").ToString();
    }

    /// <summary>Removes the table (nothing happens when it is not there).</summary>
    public static string RemoveScript() => $"table inet {Table}\ndelete table inet {Table}\n";

    private static string Set(IEnumerable<string> names) => $"{{ {string.Join(", ", names.Select(n => $"\"{n}\""))} }}";

    private static string PortText(string port) =>
        FirewallAllow.Range(port) is var (first, last) ? (first == last ? first.ToString(CultureInfo.InvariantCulture) : FormattableString.Invariant($"{first}-{last}")) : throw new ArgumentException($"'{port}' is not a port", nameof(port));

    private static bool IsIpv6(string source) =>
        (IPNetwork.TryParse(source, out var network) ? network.BaseAddress : IPAddress.Parse(source)).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
}
