using System.Text.RegularExpressions;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>
/// ports, expose and Traefik's labels → port, public, domains. paas.yaml has one port per service,
/// and "published" means routed by the platform's HTTPS ingress, never a host port.
/// </summary>
internal sealed partial class ComposeServiceImport
{
    /// <summary>Well-known ports that do not speak HTTP: the ingress cannot route them.</summary>
    private static readonly Dictionary<int, string> NotHttp = new()
    {
        [21] = "FTP", [22] = "SSH", [25] = "SMTP", [53] = "DNS", [110] = "POP3", [143] = "IMAP", [389] = "LDAP", [443] = "HTTPS (TLS ends at the ingress)",
        [465] = "SMTPS", [587] = "SMTP submission", [636] = "LDAPS", [993] = "IMAPS", [995] = "POP3S", [1433] = "SQL Server", [1521] = "Oracle",
        [1883] = "MQTT", [2181] = "ZooKeeper", [3306] = "MySQL/MariaDB", [4222] = "NATS", [5432] = "PostgreSQL", [5671] = "AMQPS", [5672] = "AMQP",
        [6379] = "Redis", [8883] = "MQTT over TLS", [9042] = "Cassandra", [9092] = "Kafka", [11211] = "Memcached", [27017] = "MongoDB",
    };

    private sealed record PortSpec(int Target, int Count, string? Published, string? HostIp, string Protocol, YNode At);

    private void Ports()
    {
        var ports = Get("ports") is { } node ? PortSpecs(node) : [];
        var udp = ports.Where(p => p.Protocol != "tcp").ToList();
        foreach (var port in udp)
        {
            Drop("ports", port.At, $"{port.Protocol.ToUpperInvariant()}: the ingress routes HTTP(S) over TCP, and paas.yaml has no {port.Protocol} ports");
        }

        var tcp = ports.Except(udp).ToList();
        var main = tcp.FirstOrDefault(p => !IsNotHttp(p.Target)) ?? tcp.FirstOrDefault();
        if (main is not null)
        {
            _service.Port = main.Target;
            Publish(main);
        }

        foreach (var port in tcp.Where(p => p != main))
        {
            if (port.Target != main!.Target)
            {
                Drop("ports", port.At, $"paas.yaml has one port per service (port: {main.Target}); {port.Target}{Protocol(port.Target)} is reachable by the project's other services at {_service.Name}:{port.Target}, not from outside");
            }
        }

        foreach (var port in tcp.Where(p => p.Count > 1))
        {
            Drop("ports", port.At, $"a range of {port.Count} ports: paas.yaml has one port per service ({port.Target} is carried)");
        }

        if (Get("expose") is YSequence expose)
        {
            // expose publishes nothing in Compose either: the first port is the one health checks and routes
            // use when ports gives none; the others stay reachable inside the project, as in Compose.
            foreach (var item in expose.Items)
            {
                var text = Text("expose", item);
                if (text is not null && PortNumber(text.Split('/')[0].Split('-')[0]) is { } exposed)
                {
                    _service.Port ??= exposed;
                }
                else if (text is not null)
                {
                    Drop("expose", item, "not a port number");
                }
            }
        }
        else if (Get("expose") is { } other)
        {
            Drop("expose", other, "expected a list of ports");
        }

        Labels();
    }

    private static bool IsNotHttp(int port) => NotHttp.ContainsKey(port);

    private static string Protocol(int port) => IsNotHttp(port) ? $" ({NotHttp[port]})" : "";

    private void Publish(PortSpec port)
    {
        var host = port.Published is { Length: > 0 } published ? $"the host's port {published}" : "a port the engine picks on the host";
        if (IsNotHttp(port.Target))
        {
            Change("ports", port.At, $"port: {port.Target} stays private: it is {NotHttp[port.Target]}'s port, and the ingress routes HTTP only; the project's other services reach it at {_service.Name}:{port.Target}, nothing outside does (Compose published it on {host})");
        }
        else if (port.HostIp is { } ip && IsLoopback(ip))
        {
            Change("ports", port.At, $"port: {port.Target} stays private: Compose published it on {ip} only, for this machine; the project's other services reach it at {_service.Name}:{port.Target}");
        }
        else
        {
            _service.Public = true;
            Change("ports", port.At, $"port: {port.Target}, public: true: the platform's ingress routes HTTPS for the service's domain (<service>-<env>-<project>.<base domain>, or domains:) to port {port.Target}, instead of Compose publishing it on {host}");
        }
    }

    private static bool IsLoopback(string ip) => ip is "localhost" or "::1" || ip.StartsWith("127.", StringComparison.Ordinal);

    private List<PortSpec> PortSpecs(YNode node)
    {
        var specs = new List<PortSpec>();
        if (node is not YSequence list)
        {
            Drop("ports", node, "expected a list of ports");
            return specs;
        }

        foreach (var item in list.Items)
        {
            var spec = item is YMapping map ? LongPort(map) : ShortPort(item);
            if (spec is not null)
            {
                specs.Add(spec);
            }
        }

        return specs;
    }

    /// <summary><c>[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]</c>, each port possibly a range.</summary>
    private PortSpec? ShortPort(YNode item)
    {
        if (Text("ports", item) is not { } text)
        {
            return null;
        }

        var protocol = "tcp";
        var slash = text.LastIndexOf('/');
        if (slash >= 0)
        {
            (text, protocol) = (text[..slash], text[(slash + 1)..].ToLowerInvariant());
        }

        string? ip = null;
        if (text.StartsWith('[') && text.IndexOf("]:", StringComparison.Ordinal) is var close and > 0)
        {
            (ip, text) = (text[1..close], text[(close + 2)..]);
        }

        var parts = text.Split(':');
        var (published, target) = parts.Length switch
        {
            1 => (null, parts[0]),
            2 => (parts[0], parts[1]),
            3 when ip is null => (parts[1], parts[2]),
            _ => ((string?)null, ""),
        };
        ip ??= parts.Length == 3 ? parts[0] : null;
        if (Range(target) is not { } range)
        {
            Drop("ports", item, "not a port mapping like 8080:80 or 127.0.0.1:8080:80/tcp");
            return null;
        }

        return new PortSpec(range.First, range.Count, published, ip, protocol, item);
    }

    private PortSpec? LongPort(YMapping map)
    {
        int? target = null;
        string? published = null, ip = null;
        var protocol = "tcp";
        foreach (var entry in map.Entries)
        {
            var value = entry.Value;
            switch (entry.Key.Value)
            {
                case "target":
                    target = Text("ports.target", value) is { } t ? PortNumber(t) : null;
                    break;
                case "published":
                    published = Text("ports.published", value);
                    break;
                case "host_ip":
                    ip = Text("ports.host_ip", value);
                    break;
                case "protocol":
                    protocol = Text("ports.protocol", value)?.ToLowerInvariant() ?? "tcp";
                    break;
                case "mode" or "name" or "app_protocol":
                    break; // Compose's own bookkeeping (swarm routing mode, a label): nothing a route needs.
                default:
                    Drop($"ports.{entry.Key.Value}", value, $"'{entry.Key.Value}' is not a key of Compose's long port syntax");
                    break;
            }
        }

        if (target is not { } port)
        {
            Drop("ports", map, "target is the container's port, 1-65535");
            return null;
        }

        return new PortSpec(port, 1, published, ip, protocol, map);
    }

    private static (int First, int Count)? Range(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return PortNumber(text) is { } port ? (port, 1) : null;
        }

        return PortNumber(text[..dash]) is { } first && PortNumber(text[(dash + 1)..]) is { } last && last >= first ? (first, last - first + 1) : null;
    }

    private static int? PortNumber(string text) => ComposeUnits.Integer(text, 1, 65535);

    /// <summary>
    /// Traefik's routing labels, the shape many published Compose files use, become domains and the
    /// port; every other label is noted (paas sets its own).
    /// </summary>
    private void Labels()
    {
        if (Get("labels") is not { } node)
        {
            return;
        }

        var labels = Pairs(node, "labels").ToList();
        var traefik = labels.Any(l => l.Name == "traefik.enable" && l.Value is YScalar v && ComposeUnits.Boolean(v.Value) == false)
            ? []
            : labels.Where(l => l.Name.StartsWith("traefik.", StringComparison.Ordinal)).ToList();
        foreach (var (name, value, key) in traefik)
        {
            var at = value ?? key;
            var text = value is null ? null : Text($"labels.{name}", value);
            if (name == "traefik.enable" || text is null)
            {
                continue;
            }

            if (TraefikPort().IsMatch(name) && PortNumber(text) is { } port)
            {
                if (_service.Port is null)
                {
                    _service.Port = port;
                }

                continue;
            }

            if (TraefikRule().IsMatch(name) && Hosts(text) is { Count: 0 })
            {
                Drop($"labels.{name}", at, "the rule names no host paas.yaml takes as a domain (Host(`name.example.com`), lower case)");
                continue;
            }

            if (TraefikRule().IsMatch(name) && Hosts(text) is { Count: > 0 } hosts)
            {
                var added = hosts.Where(h => !_service.Domains.Contains(h)).ToList();
                _service.Domains.AddRange(added);
                Change($"labels.{name}", at, $"Traefik's rule became domains: [{string.Join(", ", hosts)}] (public: true): the platform's ingress routes them, with its own certificates{(TraefikHostOnly().IsMatch(text) ? "" : "; the rule's other conditions (paths, headers) are not carried")}");
                continue;
            }

            Drop($"labels.{name}", at, "the platform's ingress routes and serves TLS itself; Traefik's middlewares, entry points and certificate resolvers have no equivalent");
        }

        var others = labels.Where(l => !traefik.Contains(l)).ToList();
        if (others.Count > 0)
        {
            Drop("labels", node, $"paas sets its own labels (project, environment, service) and carries no others ({string.Join(", ", others.Select(l => l.Name).Take(5))}{(others.Count > 5 ? ", …" : "")})");
        }

        if (_service.Domains.Count > 0)
        {
            if (_service.Port is null)
            {
                // Traefik routes to the one port the image exposes, which the Compose file does not say.
                _service.Port = 80;
                Change("labels", node, "port: 80 is assumed: Traefik routed to the port the image exposes, which paas import cannot see; correct port: if the image listens elsewhere");
            }

            _service.Public = true;
        }
    }

    /// <summary>The host names of a Traefik rule's Host(`a`, `b`) matchers, when they are domains paas.yaml accepts.</summary>
    private static List<string> Hosts(string rule) => HostMatcher().Matches(rule)
        .SelectMany(m => HostName().Matches(m.Groups[1].Value).Select(h => h.Groups[1].Value.ToLowerInvariant()))
        .Where(h => Grammar.Domain().IsMatch(h))
        .Distinct(StringComparer.Ordinal)
        .ToList();

    [GeneratedRegex(@"^traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port$")]
    private static partial Regex TraefikPort();

    [GeneratedRegex(@"^traefik\.http\.routers\.[^.]+\.rule$")]
    private static partial Regex TraefikRule();

    [GeneratedRegex(@"Host\(([^)]*)\)")]
    private static partial Regex HostMatcher();

    [GeneratedRegex(@"[`""']([^`""']+)[`""']")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^\s*Host\([^)]*\)(\s*\|\|\s*Host\([^)]*\))*\s*$")]
    private static partial Regex TraefikHostOnly();
}
