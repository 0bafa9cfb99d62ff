using System.Globalization;
using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Caddy;

/// <summary>The JSON Caddy is given: the platform's server at start, and one object per route.</summary>
internal static class CaddyConfig
{
    public const string Server = "paas";
    public const string RoutesPath = $"config/apps/http/servers/{Server}/routes";
    public const string StagingCa = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <summary>
    /// The whole configuration Caddy starts with: the HTTPS server (automatic HTTPS adds the
    /// HTTP→HTTPS redirect on the HTTP port), the certificate policy and storage in the data directory.
    /// </summary>
    public static JsonObject Bootstrap(CaddyOptions ingress, string storage, string log)
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
            ["admin"] = new JsonObject { ["listen"] = Admin(ingress) },
            ["storage"] = new JsonObject { ["module"] = "file_system", ["root"] = storage },
            ["logging"] = new JsonObject { ["logs"] = new JsonObject { ["default"] = new JsonObject { ["writer"] = new JsonObject { ["output"] = "file", ["filename"] = log } } } },
            ["apps"] = new JsonObject
            {
                ["http"] = new JsonObject
                {
                    ["http_port"] = ingress.HttpPort,
                    ["https_port"] = ingress.HttpsPort,
                    ["servers"] = Servers(ingress),
                },
                ["tls"] = new JsonObject { ["automation"] = new JsonObject { ["policies"] = new JsonArray(new JsonObject { ["issuers"] = new JsonArray(issuer) }) } },
                // The platform never writes to the machine's trust store; clients trust the root on purpose.
                ["pki"] = new JsonObject { ["certificate_authorities"] = new JsonObject { ["local"] = new JsonObject { ["install_trust"] = false } } },
            },
        };
    }

    /// <summary>
    /// The HTTPS server whose routes the platform manages. On the standard port, Caddy's automatic
    /// HTTP→HTTPS redirect is right; on another one (a quick start on 8443) it would send browsers to
    /// port 443, where nothing listens, so a server of the platform's on the HTTP port redirects to
    /// the HTTPS port in use instead (ACME's HTTP challenges are still answered there by Caddy).
    /// </summary>
    private static JsonObject Servers(CaddyOptions ingress)
    {
        var https = new JsonObject
        {
            ["listen"] = new JsonArray($"{ingress.Bind}:{ingress.HttpsPort.ToString(CultureInfo.InvariantCulture)}"),
            ["routes"] = new JsonArray(),
        };
        if (ingress.HttpsPort == 443)
        {
            return new JsonObject { [Server] = https };
        }

        https["automatic_https"] = new JsonObject { ["disable_redirects"] = true };
        var redirect = new JsonObject
        {
            ["listen"] = new JsonArray($"{ingress.Bind}:{ingress.HttpPort.ToString(CultureInfo.InvariantCulture)}"),
            ["routes"] = new JsonArray(new JsonObject
            {
                ["handle"] = new JsonArray(new JsonObject
                {
                    ["handler"] = "static_response",
                    ["status_code"] = 308,
                    ["headers"] = new JsonObject { ["Location"] = new JsonArray($"https://{{http.request.host}}:{ingress.HttpsPort.ToString(CultureInfo.InvariantCulture)}{{http.request.uri}}") },
                }),
            }),
        };
        return new JsonObject { [Server] = https, [$"{Server}-redirect"] = redirect };
    }

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
            ["upstreams"] = new JsonArray([.. upstreams.Select(u => (JsonNode)new JsonObject { ["dial"] = u })]),
            ["load_balancing"] = new JsonObject { ["try_duration"] = "5s", ["try_interval"] = "100ms" },
            ["transport"] = new JsonObject { ["protocol"] = "http", ["keep_alive"] = new JsonObject { ["enabled"] = false } },
        }),
        ["terminal"] = true,
    };

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
