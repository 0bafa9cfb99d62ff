using System.Globalization;
using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Caddy;

/// <summary>
/// The JSON the ingress's two Caddys are given: the edge's, fixed; the router's at start, and one
/// object per route (with its answer to the edge's certificate question).
/// </summary>
internal static class CaddyConfig
{
    public const string Server = "paas";
    public const string RoutesPath = $"config/apps/http/servers/{Server}/routes";
    public const string StagingCa = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <summary>Where the edge asks whether to get a certificate for a name (Caddy's on-demand TLS adds <c>?domain=</c>).</summary>
    public const string AskPath = "/__paas/tls-allowed";

    /// <summary>The id of the ask route that refuses every name no route claims; the routes that allow come before it.</summary>
    public const string AskDenyId = "ask-deny";

    /// <summary>
    /// The router: the Caddy the platform reconfigures. Plain HTTP on a loopback port, one route per
    /// public service (host names → replicas), and per route an answer to the edge's question "may I
    /// get a certificate for this name?". A change restarts its server, which closes idle keep-alive
    /// connections: only the edge's, which opens a new one per request, never a client's.
    /// </summary>
    public static JsonObject Router(CaddyOptions ingress, string storage, string log, string accessLog) => new()
    {
        ["admin"] = new JsonObject { ["listen"] = Admin(ingress) },
        ["storage"] = new JsonObject { ["module"] = "file_system", ["root"] = storage },
        ["logging"] = RouterLogging(log, accessLog),
        ["apps"] = new JsonObject
        {
            ["http"] = new JsonObject
            {
                ["servers"] = new JsonObject
                {
                    [Server] = new JsonObject
                    {
                        ["listen"] = new JsonArray(RouterAddress(ingress)),
                        ["automatic_https"] = new JsonObject { ["disable"] = true },
                        ["logs"] = AccessLogs(),
                        ["routes"] = new JsonArray(new JsonObject
                        {
                            ["@id"] = AskDenyId,
                            ["match"] = new JsonArray(new JsonObject { ["path"] = new JsonArray(AskPath) }),
                            ["handle"] = new JsonArray(new JsonObject { ["handler"] = "static_response", ["status_code"] = 404 }),
                            ["terminal"] = true,
                        }),
                    },
                },
            },
        },
    };

    /// <summary>
    /// The edge: the Caddy clients connect to. It terminates TLS with certificates got on demand for
    /// the names the router allows, redirects HTTP to HTTPS, and hands every request to the router
    /// on a new loopback connection. Its configuration never changes with routes, so it is never
    /// restarted by them and clients' keep-alive connections outlive every rollout and scale.
    /// </summary>
    public static JsonObject Edge(CaddyOptions ingress, string storage, string log)
    {
        var issuer = ingress.Tls.Internal
            ? new JsonObject { ["module"] = "internal" }
            : new JsonObject { ["module"] = "acme" };
        if (!ingress.Tls.Internal && ingress.Tls.Email is { } email)
        {
            issuer["email"] = email;
        }

        if (!ingress.Tls.Internal && ingress.Tls.Staging)
        {
            issuer["ca"] = StagingCa;
        }

        return new JsonObject
        {
            ["admin"] = new JsonObject { ["disabled"] = true }, // nothing ever reconfigures it
            ["storage"] = new JsonObject { ["module"] = "file_system", ["root"] = storage },
            ["logging"] = Logging(log),
            ["apps"] = new JsonObject
            {
                ["http"] = new JsonObject
                {
                    ["http_port"] = ingress.HttpPort,
                    ["https_port"] = ingress.HttpsPort,
                    ["servers"] = EdgeServers(ingress),
                },
                ["tls"] = new JsonObject
                {
                    ["automation"] = new JsonObject
                    {
                        // Local names get the internal CA's certificates whatever the issuer (no public CA can
                    // vouch for them), as Caddy's automatic HTTPS does for them; the rest the issuer's.
                    ["policies"] = new JsonArray(
                        new JsonObject { ["subjects"] = new JsonArray("localhost", "*.localhost"), ["issuers"] = new JsonArray(new JsonObject { ["module"] = "internal" }), ["on_demand"] = true },
                        new JsonObject { ["issuers"] = new JsonArray(issuer), ["on_demand"] = true }),
                        ["on_demand"] = new JsonObject { ["ask"] = $"http://{RouterAddress(ingress)}{AskPath}" },
                    },
                },
                // The platform never writes to the machine's trust store; clients trust the root on purpose.
                ["pki"] = new JsonObject { ["certificate_authorities"] = new JsonObject { ["local"] = new JsonObject { ["install_trust"] = false } } },
            },
        };
    }

    /// <summary>
    /// HTTPS, and on the HTTP port a redirect to the HTTPS port in use (Caddy's own redirect would
    /// assume 443, and it adds one only for names in host matchers, which the edge has none of).
    /// ACME's HTTP challenges are still answered on the HTTP port by Caddy.
    /// </summary>
    private static JsonObject EdgeServers(CaddyOptions ingress)
    {
        var https = new JsonObject
        {
            ["listen"] = new JsonArray($"{ingress.Bind}:{ingress.HttpsPort.ToString(CultureInfo.InvariantCulture)}"),
            ["tls_connection_policies"] = new JsonArray(new JsonObject()),
            ["automatic_https"] = new JsonObject { ["disable_redirects"] = true },
            ["routes"] = new JsonArray(new JsonObject
            {
                ["handle"] = new JsonArray(new JsonObject
                {
                    ["handler"] = "reverse_proxy",
                    ["upstreams"] = new JsonArray(new JsonObject { ["dial"] = RouterAddress(ingress) }),
                    // A router restarting for a route change refuses a new connection for a moment: tried again.
                    ["load_balancing"] = new JsonObject { ["try_duration"] = "5s", ["try_interval"] = "50ms" },
                    // A new connection per request: a pooled one the router closes while restarting would fail a request.
                    ["transport"] = new JsonObject { ["protocol"] = "http", ["keep_alive"] = new JsonObject { ["enabled"] = false } },
                }),
            }),
        };
        var port = ingress.HttpsPort == 443 ? "" : $":{ingress.HttpsPort.ToString(CultureInfo.InvariantCulture)}";
        var redirect = new JsonObject
        {
            ["listen"] = new JsonArray($"{ingress.Bind}:{ingress.HttpPort.ToString(CultureInfo.InvariantCulture)}"),
            ["routes"] = new JsonArray(new JsonObject
            {
                ["handle"] = new JsonArray(new JsonObject
                {
                    ["handler"] = "static_response",
                    ["status_code"] = 308,
                    ["headers"] = new JsonObject { ["Location"] = new JsonArray($"https://{{http.request.host}}{port}{{http.request.uri}}") },
                }),
            }),
        };
        return new JsonObject { ["edge"] = https, ["edge-redirect"] = redirect };
    }

    public static string RouterAddress(CaddyOptions ingress) => $"127.0.0.1:{ingress.RouterPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The server's access log is on: every request it answers becomes an entry (for the autoscaler's request rate and latency).</summary>
    public static JsonObject AccessLogs() => new();

    /// <summary>
    /// The router's own log, and its access log on its own file (rolled over at 10 MB, one old file
    /// kept). An entry keeps only the host, method, protocol, status, size and time: headers (cookies,
    /// tokens), the URI (query strings carry secrets too) and the client's address are deleted
    /// before it is written.
    /// </summary>
    public static JsonObject RouterLogging(string log, string accessLog)
    {
        var deleted = new JsonObject();
        foreach (var field in new[] { "request>headers", "request>uri", "request>remote_ip", "request>remote_port", "request>tls", "resp_headers", "user_id" })
        {
            deleted[field] = new JsonObject { ["filter"] = "delete" };
        }

        return new JsonObject
        {
            ["logs"] = new JsonObject
            {
                ["default"] = new JsonObject { ["writer"] = new JsonObject { ["output"] = "file", ["filename"] = log }, ["exclude"] = new JsonArray(AccessLogger) },
                [AccessLogName] = new JsonObject
                {
                    ["include"] = new JsonArray(AccessLogger),
                    ["writer"] = new JsonObject { ["output"] = "file", ["filename"] = accessLog, ["roll_size_mb"] = 10, ["roll_keep"] = 1 },
                    ["encoder"] = new JsonObject { ["format"] = "filter", ["wrap"] = new JsonObject { ["format"] = "json" }, ["fields"] = deleted },
                },
            },
        };
    }

    /// <summary>The logger Caddy 2.6 writes a server's access entries to, and the router's log of them.</summary>
    public const string AccessLogger = "http.log.access";

    public const string AccessLogName = "paas-access";

    private static JsonObject Logging(string log) =>
        new() { ["logs"] = new JsonObject { ["default"] = new JsonObject { ["writer"] = new JsonObject { ["output"] = "file", ["filename"] = log } } } };

    /// <summary>The router's answer to the edge for a route's names: yes, get a certificate.</summary>
    public static JsonObject Ask(DesiredRoute route) => new()
    {
        ["@id"] = AskId(route.Id),
        ["match"] = new JsonArray(new JsonObject
        {
            ["path"] = new JsonArray(AskPath),
            ["query"] = new JsonObject { ["domain"] = new JsonArray([.. route.Domains.Select(d => (JsonNode)d)]) },
        }),
        ["handle"] = new JsonArray(new JsonObject { ["handler"] = "static_response", ["status_code"] = 200 }),
        ["terminal"] = true,
    };

    public static string AskId(string routeId) => $"ask/{routeId}";

    public static string Admin(CaddyOptions ingress) => $"127.0.0.1:{ingress.AdminPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A route: its host names to a round-robin over the replicas. A request whose replica refuses the
    /// connection is retried on another for a few seconds, so a replica leaving never surfaces as an
    /// error. Connections to replicas are not kept alive: many small servers (busybox httpd among them)
    /// close an idle connection just as the proxy reuses it, which would surface as a 502.
    /// </summary>
    public static JsonObject Route(DesiredRoute route, IReadOnlyList<string> upstreams) => new()
    {
        ["@id"] = route.Id,
        ["match"] = new JsonArray(new JsonObject { ["host"] = new JsonArray([.. route.Domains.Select(d => (JsonNode)d)]) }),
        ["handle"] = new JsonArray(new JsonObject
        {
            ["handler"] = "reverse_proxy",
            // The client's address and scheme as the edge saw them reach the app (X-Forwarded-For, -Proto).
            ["trusted_proxies"] = new JsonArray("127.0.0.1/32"),
            ["upstreams"] = new JsonArray([.. upstreams.Select(u => (JsonNode)new JsonObject { ["dial"] = u })]),
            ["load_balancing"] = new JsonObject { ["try_duration"] = "5s", ["try_interval"] = "100ms" },
            ["transport"] = new JsonObject { ["protocol"] = "http", ["keep_alive"] = new JsonObject { ["enabled"] = false } },
        }),
        ["terminal"] = true,
    };

    /// <summary>Every route of the platform's in a routes array (ids <c>paas.project.env.service</c>), with its upstreams.</summary>
    public static List<(DesiredRoute Route, IReadOnlyList<string> Upstreams)> Held(JsonNode? routes) =>
        (routes as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(r => r["@id"]?.GetValue<string>() is { } id && id.StartsWith("paas.", StringComparison.Ordinal) && id.Split('.').Length == 4)
            .Select(r => (
                new DesiredRoute(
                    r["@id"]!.GetValue<string>(),
                    r["@id"]!.GetValue<string>().Split('.')[3],
                    new ValueList<string>(((r["match"] as JsonArray)?.FirstOrDefault()?["host"] as JsonArray ?? []).Select(h => h!.GetValue<string>())),
                    0),
                (IReadOnlyList<string>)((r["handle"] as JsonArray)?.FirstOrDefault()?["upstreams"] as JsonArray ?? []).Select(u => u?["dial"]?.GetValue<string>() ?? "").ToList()))
            .ToList();

    /// <summary>Reads back the routes of one environment (by their id prefix) from Caddy's routes array.</summary>
    public static IReadOnlyList<ObservedRoute> Observe(JsonNode? routes, string project, string environment)
    {
        var prefix = DesiredRoute.Prefix(project, environment);
        return (routes as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(r => r["@id"]?.GetValue<string>() is { } id && id.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => new ObservedRoute(
                r["@id"]!.GetValue<string>(),
                r["@id"]!.GetValue<string>()[prefix.Length..],
                new ValueList<string>(((r["match"] as JsonArray)?.FirstOrDefault()?["host"] as JsonArray ?? []).Select(h => h!.GetValue<string>()).Order(StringComparer.Ordinal)),
                new ValueList<string>(((r["handle"] as JsonArray)?.FirstOrDefault()?["upstreams"] as JsonArray ?? []).Select(u => u?["dial"]?.GetValue<string>() ?? "").Order(StringComparer.Ordinal))))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
    }
}
