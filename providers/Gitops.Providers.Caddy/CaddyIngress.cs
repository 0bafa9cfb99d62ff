using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Caddy;

/// <summary>
/// The ingress: two Caddys. The edge terminates TLS for clients and never changes; the router,
/// behind it on a loopback port, holds the routes and is changed through its admin API (loopback
/// only). Each route is one object with an <c>@id</c>, created, replaced or deleted in one request:
/// Caddy applies each change atomically and lets requests in flight finish on the configuration they
/// started with. A change restarts the router's server, which closes idle keep-alive connections;
/// with one Caddy those were clients' (measured: 22 read errors in 20,486 requests under wrk while
/// 8 route changes ran), now they are only the edge's, which opens a new one per request (0 errors;
/// docs/benchmarks.md). When either does not answer, it is started with the platform's configuration.
/// </summary>
public sealed class CaddyIngress : IIngress, IDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MinimumDrain = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan IdleConfirmation = TimeSpan.FromMilliseconds(250);

    private readonly CaddyOptions _spec;
    private readonly string _directory;
    private readonly HttpClient _admin;
    private readonly ICaddyHost _host;
    private readonly ICaddyHost _edge;
    private readonly SemaphoreSlim _ready = new(1, 1);
    private readonly AccessLogTail _traffic;
    private bool _started;

    /// <param name="target">The engine that runs Caddy when <see cref="CaddyOptions.Mode"/> is container.</param>
    public CaddyIngress(CaddyOptions spec, string dataDirectory, EngineEndpoint? target = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        if (spec.Mode == IngressMode.Container)
        {
            ArgumentNullException.ThrowIfNull(target, "an ingress in a container needs the target that runs it");
            _host = new CaddyContainer(target, spec.Image, spec.AdminPort);
            _edge = new CaddyContainer(target, spec.Image, spec.AdminPort, "-edge");
        }
        else
        {
            _host = new CaddyProcess();
            _edge = new CaddyProcess();
        }
        _directory = Path.GetFullPath(Path.Combine(dataDirectory, "caddy"));
        _admin = new HttpClient { BaseAddress = new Uri($"http://{CaddyConfig.Admin(spec)}/"), Timeout = TimeSpan.FromSeconds(10) };
        _traffic = new AccessLogTail(AccessLogPath, TimeProvider.System);
    }

    /// <summary>The router's access log: an entry per request (host, status, time; nothing secret).</summary>
    public string AccessLogPath => Path.Combine(_directory, "access.log");

    /// <summary>What the router answered since the last call, from its access log (the autoscaler calls it, alone, once per interval).</summary>
    public Task<TrafficSample?> ReadTrafficAsync(CancellationToken cancellationToken)
    {
        lock (_traffic)
        {
            return Task.FromResult(_traffic.Read());
        }
    }

    public string BaseDomain => _spec.BaseDomain;

    public string UrlOf(string domain) => _spec.HttpsPort == 443 ? $"https://{domain}/" : $"https://{domain}:{_spec.HttpsPort.ToString(CultureInfo.InvariantCulture)}/";

    /// <summary>The root certificate of Caddy's internal CA, which clients of local domains trust.</summary>
    public string RootCertificatePath => Path.Combine(_directory, "storage", "pki", "authorities", "local", "root.crt");

    public string Name => "Caddy";

    public string? LocalCertificateAuthority => File.Exists(RootCertificatePath) ? RootCertificatePath : null;

    public string Diagnostics => $"Caddy's logs, {Path.Combine(_directory, "caddy.log")} (the router) and {Path.Combine(EdgeDirectory, "caddy.log")} (the edge)";

    /// <summary>Where the edge keeps its own state (its storage is the ingress's, with the certificates).</summary>
    private string EdgeDirectory => Path.Combine(_directory, "edge");

    public Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        WithCaddyAsync(async t => CaddyConfig.Observe(await GetAsync(CaddyConfig.RoutesPath, t).ConfigureAwait(false), project, environment), cancellationToken);

    public Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        return WithCaddyAsync(async t =>
        {
            await PutRouteAsync(route, upstreams, t).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// The answer to the edge's certificate question first (the names may be asked for as soon as
    /// they route), before the deny-all answer; then the route itself.
    /// </summary>
    private async Task PutRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken)
    {
        var ask = CaddyConfig.Ask(route);
        using (var existingAsk = await _admin.GetAsync($"id/{CaddyConfig.AskId(route.Id)}", cancellationToken).ConfigureAwait(false))
        using (var askResponse = existingAsk.IsSuccessStatusCode
            ? await _admin.PatchAsync($"id/{CaddyConfig.AskId(route.Id)}", JsonContent.Create(ask), cancellationToken).ConfigureAwait(false)
            : await _admin.PutAsync($"{CaddyConfig.RoutesPath}/0", JsonContent.Create(ask), cancellationToken).ConfigureAwait(false))
        {
            await EnsureOkAsync(askResponse, $"allowing certificates for route {route.Id}", cancellationToken).ConfigureAwait(false);
        }

        var body = CaddyConfig.Route(route, upstreams);
        using var existing = await _admin.GetAsync($"id/{route.Id}", cancellationToken).ConfigureAwait(false);
        using var response = existing.IsSuccessStatusCode
            ? await _admin.PatchAsync($"id/{route.Id}", JsonContent.Create(body), cancellationToken).ConfigureAwait(false)
            : await _admin.PostAsync(CaddyConfig.RoutesPath, JsonContent.Create(body), cancellationToken).ConfigureAwait(false);
        await EnsureOkAsync(response, $"setting route {route.Id}", cancellationToken).ConfigureAwait(false);
    }

    public Task RemoveRouteAsync(string id, CancellationToken cancellationToken) => WithCaddyAsync(async t =>
    {
        foreach (var objectId in new[] { id, CaddyConfig.AskId(id) })
        {
            using var response = await _admin.DeleteAsync($"id/{objectId}", t).ConfigureAwait(false);
            if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.BadRequest)) // unknown id: already gone
            {
                await EnsureOkAsync(response, $"removing route {objectId}", t).ConfigureAwait(false);
            }
        }

        return true;
    }, cancellationToken);

    /// <summary>
    /// Runs one admin-API operation on a Caddy that answers. A long-running server outlives Caddy
    /// restarts and crashes: when Caddy stops answering, it is started again (its autosaved
    /// configuration comes back with it, and the next plan repairs whatever is missing) and the
    /// operation is tried once more.
    /// </summary>
    private async Task<T> WithCaddyAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or CaddyConfigLostException)
        {
            _started = false;
            await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
            return await operation(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Caddy counts requests in flight per upstream; draining ends when those of the leaving replicas
    /// stay at zero. It lasts at least two seconds (or the drain time, when shorter): after a route
    /// changes, connections opened before the change may still carry a request or two under the
    /// previous configuration, which would still send them to the leaving replicas.
    /// </summary>
    public async Task<TimeSpan> DrainAsync(IReadOnlyList<string> upstreams, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        var settle = limit < MinimumDrain ? limit : MinimumDrain;
        var started = DateTime.UtcNow;
        var idleSince = (DateTime?)null;
        while (DateTime.UtcNow - started < limit)
        {
            var busy = (await GetAsync("reverse_proxy/upstreams", cancellationToken).ConfigureAwait(false) as JsonArray ?? [])
                .OfType<JsonObject>()
                .Where(u => upstreams.Contains(u["address"]?.GetValue<string>() ?? ""))
                .Sum(u => u["num_requests"]?.GetValue<int>() ?? 0);
            idleSince = busy == 0 ? idleSince ?? DateTime.UtcNow : null;
            if (idleSince is { } idle && DateTime.UtcNow - started >= settle && DateTime.UtcNow - idle >= IdleConfirmation)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }

        return DateTime.UtcNow - started;
    }

    /// <summary>Stops the Caddy this platform started, and removes its container if it ran in one (tests, and uninstalling).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _admin.PostAsync("stop", null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // Not running: nothing to stop.
        }

        await _host.RemoveAsync(_directory, cancellationToken).ConfigureAwait(false);
        await _edge.RemoveAsync(EdgeDirectory, cancellationToken).ConfigureAwait(false);
        _started = false;
    }

    public void Dispose()
    {
        _admin.Dispose();
        _ready.Dispose();
        _traffic.Dispose();
    }

    /// <summary>Caddy answers with the platform's server configured, or is started (and configured) now.</summary>
    /// <remarks>
    /// The router's failures show when an admin call fails; the edge is never called, so every
    /// ingress call checks that it still accepts connections (a local connect, well under a
    /// millisecond) and starts it again when it stopped.
    /// </remarks>
    private async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_started && await EdgeAcceptsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_started)
            {
                await EnsureRouterAsync(cancellationToken).ConfigureAwait(false);
            }

            await EnsureEdgeAsync(cancellationToken).ConfigureAwait(false);
            _started = true;
        }
        finally
        {
            _ready.Release();
        }
    }

    /// <summary>The router answers on its admin port with the platform's server on the router's address, or is started (and configured) now.</summary>
    private async Task EnsureRouterAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var config = Path.Combine(_directory, "caddy.json");
        var bootstrap = CaddyConfig.Router(_spec, Path.Combine(_directory, "router-storage"), Path.Combine(_directory, "caddy.log"), AccessLogPath);
        await File.WriteAllTextAsync(config, bootstrap.ToJsonString(), cancellationToken).ConfigureAwait(false);
        if (!await AnswersAsync(cancellationToken).ConfigureAwait(false))
        {
            await _host.StartAsync(_directory, _directory, config, resume: true, cancellationToken).ConfigureAwait(false);
            var deadline = DateTime.UtcNow + StartPatience;
            while (!await AnswersAsync(cancellationToken).ConfigureAwait(false))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Caddy did not answer on {CaddyConfig.Admin(_spec)} within {StartPatience.TotalSeconds:0} s; see {_host.Diagnostics(_directory)}");
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        // A Caddy that answers but lacks the router's server (its first start, one reset by hand, or
        // the single Caddy of earlier versions, which served clients itself) gets the router's
        // configuration; the routes it held are carried over.
        if (await RouterListensAsync(cancellationToken).ConfigureAwait(false))
        {
            await EnsureAccessLogAsync(bootstrap, cancellationToken).ConfigureAwait(false);
            return;
        }

        var carried = await RoutesHeldAsync(cancellationToken).ConfigureAwait(false);
        using (var response = await _admin.PostAsync("load", JsonContent.Create(bootstrap), cancellationToken).ConfigureAwait(false))
        {
            await EnsureOkAsync(response, "loading the ingress configuration", cancellationToken).ConfigureAwait(false);
        }

        foreach (var route in carried)
        {
            await PutRouteAsync(route.Route, route.Upstreams, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The edge runs with the configuration these options give (restarted when they changed) and
    /// accepts connections on the HTTPS port.
    /// </summary>
    private async Task EnsureEdgeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(EdgeDirectory);
        var config = Path.Combine(EdgeDirectory, "caddy.json");
        var text = CaddyConfig.Edge(_spec, Path.Combine(_directory, "storage"), Path.Combine(EdgeDirectory, "caddy.log")).ToJsonString();
        if (File.Exists(config) && await File.ReadAllTextAsync(config, cancellationToken).ConfigureAwait(false) != text)
        {
            await _edge.RemoveAsync(EdgeDirectory, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(config, text, cancellationToken).ConfigureAwait(false);
        await _edge.StartAsync(_directory, EdgeDirectory, config, resume: false, cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + StartPatience;
        while (!await EdgeAcceptsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the ingress's edge did not accept connections on port {_spec.HttpsPort} within {StartPatience.TotalSeconds:0} s; see {_edge.Diagnostics(EdgeDirectory)} and {Path.Combine(EdgeDirectory, "caddy.log")}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> EdgeAcceptsAsync(CancellationToken cancellationToken)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(_spec.Bind is { Length: > 0 } bind ? bind : "127.0.0.1", _spec.HttpsPort, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private async Task<bool> RouterListensAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync($"config/apps/http/servers/{CaddyConfig.Server}/listen", cancellationToken).ConfigureAwait(false) is JsonArray listen
                && listen.Count == 1 && listen[0]?.GetValue<string>() == CaddyConfig.RouterAddress(_spec);
        }
        catch (CaddyConfigLostException)
        {
            return false;
        }
    }

    /// <summary>A router started by an earlier version writes no access log: it is given one, its routes untouched.</summary>
    private async Task EnsureAccessLogAsync(JsonObject bootstrap, CancellationToken cancellationToken)
    {
        if (await GetAsync($"config/apps/http/servers/{CaddyConfig.Server}/logs", cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        using (var logging = await _admin.PatchAsync("config/logging", JsonContent.Create(bootstrap["logging"]), cancellationToken).ConfigureAwait(false))
        {
            await EnsureOkAsync(logging, "setting the router's access log", cancellationToken).ConfigureAwait(false);
        }

        using var logs = await _admin.PutAsync($"config/apps/http/servers/{CaddyConfig.Server}/logs", JsonContent.Create(CaddyConfig.AccessLogs()), cancellationToken).ConfigureAwait(false);
        await EnsureOkAsync(logs, "turning the router's access log on", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The platform's routes a Caddy holds now, to carry over to a new configuration.</summary>
    private async Task<List<(DesiredRoute Route, IReadOnlyList<string> Upstreams)>> RoutesHeldAsync(CancellationToken cancellationToken)
    {
        JsonNode? routes;
        try
        {
            routes = await GetAsync(CaddyConfig.RoutesPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CaddyConfigLostException or InvalidOperationException)
        {
            return [];
        }

        return CaddyConfig.Held(routes);
    }

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _admin.GetAsync("config/", cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _admin.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.BadRequest && path.StartsWith("config/apps", StringComparison.Ordinal))
        {
            // Caddy answers but holds no configuration of ours (reset, or loaded by someone else).
            throw new CaddyConfigLostException();
        }

        await EnsureOkAsync(response, $"reading {path}", cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Caddy refused {what} ({(int)response.StatusCode}): {detail.Trim()}"));
        }
    }
}

/// <summary>Caddy answers without the platform's server in its configuration.</summary>
internal sealed class CaddyConfigLostException : Exception;

