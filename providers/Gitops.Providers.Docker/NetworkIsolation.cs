using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// Keeps the platform's networks apart with an nftables table of the platform's own
/// (<c>inet paas</c>), whose forward chain hooks in before the engines' iptables rules
/// (priority filter - 10). A drop in any base chain is final, so no rule that Docker, netavark or
/// anything else inserts anywhere, in any order, can let traffic past it (a fresh machine put
/// netavark's <c>-s subnet -j ACCEPT</c> above the platform's old iptables jump, and one project's
/// Podman container answered another's). Per network, for both engines:
/// nothing from outside the subnet opens a connection into it (other projects, the other engine's
/// bridges, the default bridges), and nothing leaves it for another container bridge.
/// Replies to its own connections, traffic inside it, to the host (the ingress, health checks:
/// those are not forwarded) and to the outside are untouched.
/// The engine is local (a Unix socket), so its firewall is this machine's.
/// </summary>
public static class NetworkIsolation
{
    public const string Table = "paas";
    public const string Chain = "forward";

    /// <summary>The interfaces container engines name their bridges with (Docker: docker0, br-*; Podman: podman*).</summary>
    private const string Bridges = "{ \"docker0\", \"br-*\", \"podman*\" }";

    /// <summary>
    /// One change at a time in this process: a listing and the change made from it are one step
    /// (a rule deleted between the two made nft refuse the whole change).
    /// </summary>
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>
    /// Idempotent: the table, its chain and this network's rules for <paramref name="subnet"/> exist
    /// afterwards (a partial set is replaced). Rules belong to the engine's network ID, never to the
    /// subnet alone: an engine hands a freed subnet to the next network, and removing the old
    /// network's rules by subnet took the new one's wall down with them.
    /// </summary>
    public static async Task EnsureAsync(string networkId, string subnet, CancellationToken cancellationToken)
    {
        var rules = Rules(subnet); // refuses what is not an IPv4 subnet before anything changes
        var comment = Comment(networkId, subnet);
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var handles = await HandlesAsync(c => c == comment, cancellationToken).ConfigureAwait(false);
            if (handles is { Count: 2 })
            {
                return;
            }

            var script = new StringBuilder()
                .AppendLine(FormattableString.Invariant($"table inet {Table} {{"))
                .AppendLine(FormattableString.Invariant($"  chain {Chain} {{ type filter hook forward priority filter - 10; policy accept; }}"))
                .AppendLine("}");
            foreach (var handle in handles ?? [])
            {
                script.AppendLine(FormattableString.Invariant($"delete rule inet {Table} {Chain} handle {handle}"));
            }

            foreach (var rule in rules)
            {
                script.AppendLine(FormattableString.Invariant($"add rule inet {Table} {Chain} {rule} comment \"{comment}\""));
            }

            await RequireAsync(script.ToString(), cancellationToken, "-f", "-").ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Walls off one network on every IPv4 subnet it has. A network that reports none is refused:
    /// the platform could not wall it off, and an unwalled network reaches every other.
    /// </summary>
    public static async Task WallAsync(string networkId, string networkName, IReadOnlyCollection<string> subnets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subnets);
        if (subnets.Count == 0)
        {
            throw new TargetRefusedException($"network {networkName} reports no IPv4 subnet, so the platform cannot wall it off; refusing to use it");
        }

        foreach (var subnet in subnets)
        {
            await EnsureAsync(networkId, subnet, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes every rule of this network (whatever its subnets were); other networks' rules stay, also on the same subnet.</summary>
    public static async Task RemoveAsync(string networkId, CancellationToken cancellationToken)
    {
        var owner = Owner(networkId);
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var handles = await HandlesAsync(c => c.StartsWith(owner, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false) ?? [];
            if (handles.Count > 0)
            {
                await RequireAsync(string.Concat(handles.Select(h => FormattableString.Invariant($"delete rule inet {Table} {Chain} handle {h}\n"))), cancellationToken, "-f", "-").ConfigureAwait(false);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A network's IPv4 subnets, the ones walled off (the platform's networks have no IPv6).</summary>
    public static List<string> Ipv4Subnets(IPAM? ipam) => Ipv4(ipam).Select(c => c.Subnet).ToList();

    /// <summary>IPv4 entries only; an engine may leave out the gateway (Docker's default bridge) or the whole config.</summary>
    public static IEnumerable<IPAMConfig> Ipv4(IPAM? ipam) =>
        (ipam?.Config ?? []).Where(c => !string.IsNullOrEmpty(c.Subnet) && !c.Subnet.Contains(':', StringComparison.Ordinal));

    /// <summary>The rules for one subnet, in nft syntax (the subnet comes from the engine's network inspect).</summary>
    public static IReadOnlyList<string> Rules(string subnet)
    {
        ArgumentException.ThrowIfNullOrEmpty(subnet);
        if (!System.Net.IPNetwork.TryParse(subnet, out var parsed) || parsed.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"not an IPv4 subnet: '{subnet}'", nameof(subnet));
        }

        return
        [
            $"ip daddr {subnet} ip saddr != {subnet} ct state != {{ established, related }} drop",
            $"ip saddr {subnet} ip daddr != {subnet} oifname {Bridges} drop",
        ];
    }

    /// <summary>
    /// Whether this network has its full set of rules for every one of its subnets (what
    /// <see cref="WallAsync"/> makes); false for a network without a subnet. One listing, so the
    /// driver can ask at every observe: rules vanish with a reboot or a flushed ruleset while the
    /// engine brings the containers back.
    /// </summary>
    public static async Task<bool> IsWalledAsync(string networkId, IReadOnlyCollection<string> subnets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subnets);
        if (subnets.Count == 0)
        {
            return false;
        }

        var owner = Owner(networkId);
        var rules = (await HandlesByCommentAsync(c => c.StartsWith(owner, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false) ?? [])
            .GroupBy(r => r.Comment, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return subnets.All(s => rules.GetValueOrDefault(Comment(networkId, s)) == 2);
    }

    // The engine's ID (64 hex digits for both engines) names the owner: unlike a name, it is never
    // given to a later network. The comment stays under nft's 128 bytes.
    private static string Owner(string networkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        if (networkId.Length > 64 || !networkId.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"not an engine network ID: '{networkId}'", nameof(networkId));
        }

        return $"paas network {networkId} ";
    }

    private static string Comment(string networkId, string subnet) => Owner(networkId) + subnet;

    /// <summary>The handles of the rules whose comment matches, or null when the table or chain is missing.</summary>
    private static async Task<List<long>?> HandlesAsync(Func<string, bool> comment, CancellationToken cancellationToken) =>
        (await HandlesByCommentAsync(comment, cancellationToken).ConfigureAwait(false))?.Select(r => r.Handle).ToList();

    private static async Task<List<(long Handle, string Comment)>?> HandlesByCommentAsync(Func<string, bool> comment, CancellationToken cancellationToken)
    {
        var (code, output, _) = await NftAsync(null, cancellationToken, "-j", "list", "chain", "inet", Table, Chain).ConfigureAwait(false);
        if (code != 0)
        {
            return null;
        }

        using var listing = JsonDocument.Parse(output);
        return listing.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(e => e.TryGetProperty("rule", out var rule) && rule.TryGetProperty("comment", out var c) && c.GetString() is { } text && comment(text))
            .Select(e => (e.GetProperty("rule").GetProperty("handle").GetInt64(), e.GetProperty("rule").GetProperty("comment").GetString()!))
            .ToList();
    }

    private static Task RequireAsync(string input, CancellationToken cancellationToken, params string[] arguments) =>
        Gitops.Engine.Host.Nft.RequireAsync("isolating the network", input, cancellationToken, arguments);

    private static Task<(int Code, string Output, string Error)> NftAsync(string? input, CancellationToken cancellationToken, params string[] arguments) =>
        Gitops.Engine.Host.Nft.RunAsync(input, cancellationToken, arguments);
}
