using System.ComponentModel;
using System.Globalization;
using System.Net;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;

namespace Gitops.Engine.Firewall;

public enum FirewallProtocol
{
    Tcp,
    Udp,
}

/// <summary>
/// <c>firewall:</c> in platform.yaml: what may connect to this host from outside. Everything else
/// arriving on the governed interfaces is dropped, including ports a container engine publishes
/// (<c>docker run -p</c>), which never pass the host's input rules.
/// </summary>
public sealed record FirewallConfig
{
    [Description("Host interfaces the firewall governs, e.g. [eth0] (a trailing * matches a prefix). Default: every interface but loopback and the container engines' bridges.")]
    public ValueList<string> Interfaces { get; init; } = ValueList<string>.Empty;

    [Description("Inbound connections allowed: { port: 22 or \"8000-8100\", protocol: tcp or udp (default tcp), from: [CIDR, ...] (default: anywhere) }.")]
    public ValueList<FirewallAllow> Allow { get; init; } = ValueList<FirewallAllow>.Empty;

    /// <summary>Checks what the binder cannot: ports, ranges, addresses and interface names, each at its <c>platform.yaml:line:column</c>.</summary>
    public void Check(SourceMap map, string path, List<Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        for (var i = 0; i < Interfaces.Count; i++)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(Interfaces[i], @"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}\*?$"))
            {
                Report(map, problems, $"{path}.interfaces[{i}]", $"'{Interfaces[i]}' is not an interface name (letters, digits, '_', '.', '-', at most 15, an optional trailing *)");
            }
        }

        for (var i = 0; i < Allow.Count; i++)
        {
            var rule = Allow[i];
            if (FirewallAllow.Range(rule.Port) is null)
            {
                Report(map, problems, $"{path}.allow[{i}].port", $"'{rule.Port}' is not a port (1-65535) or a range like 8000-8100");
            }

            for (var j = 0; j < rule.From.Count; j++)
            {
                if (!IPNetwork.TryParse(rule.From[j], out _) && !IPAddress.TryParse(rule.From[j], out _))
                {
                    Report(map, problems, $"{path}.allow[{i}].from[{j}]", $"'{rule.From[j]}' is not an address or a CIDR range like 203.0.113.0/24");
                }
            }
        }
    }

    private static void Report(SourceMap map, List<Diagnostic> problems, string path, string message) =>
        problems.Add(new Diagnostic(ErrorCodes.Type, message, map.Locate(path), path));
}

/// <summary>One allowed inbound port (or range) and protocol, from anywhere or from the listed ranges.</summary>
public sealed record FirewallAllow
{
    [Description("The port, or a range like \"8000-8100\".")]
    public string Port { get; init; } = "";

    [Description("tcp (default) or udp.")]
    public FirewallProtocol Protocol { get; init; } = FirewallProtocol.Tcp;

    [Description("Source addresses or CIDR ranges allowed; left out: anywhere.")]
    public ValueList<string> From { get; init; } = ValueList<string>.Empty;

    /// <summary>The port or range as (first, last), or null when it is neither.</summary>
    public static (int First, int Last)? Range(string port)
    {
        ArgumentNullException.ThrowIfNull(port);
        var parts = port.Split('-');
        if (parts.Length > 2 || parts.Any(p => p.Length is 0 or > 5 || !p.All(char.IsAsciiDigit)))
        {
            return null;
        }

        var first = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var last = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        return first is >= 1 and <= 65535 && last is >= 1 and <= 65535 && first <= last ? (first, last) : null;
    }
}
