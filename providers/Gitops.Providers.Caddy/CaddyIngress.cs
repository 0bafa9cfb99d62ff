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
/// The ingress on Caddy's admin API (loopback only). Each route is one object with an <c>@id</c>,
/// created, replaced or deleted in one request: Caddy applies each change atomically and lets
/// requests in flight finish on the configuration they started with. When the admin API does not
/// answer, Caddy is started with the platform's configuration.
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
    private readonly SemaphoreSlim _ready = new(1, 1);
    private bool _started;

    /// <param name="target">The engine that runs Caddy when <see cref="CaddyOptions.Mode"/> is container.</param>
    public CaddyIngress(CaddyOptions spec, string dataDirectory, EngineEndpoint? target = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _host = spec.Mode == IngressMode.Container
            ? new CaddyContainer(target ?? throw new ArgumentException("an ingress in a container needs the target that runs it", nameof(target)), spec.Image, spec.AdminPort)
            : new CaddyProcess();
        _directory = Path.GetFullPath(Path.Combine(dataDirectory, "caddy"));
        _admin = new HttpClient { BaseAddress = new Uri($"http://{CaddyConfig.Admin(spec)}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string BaseDomain => _spec.BaseDomain;

    /// <summary>The root certificate of Caddy's internal CA, which clients of local domains trust.</summary>
    public string RootCertificatePath => Path.Combine(_directory, "storage", "pki", "authorities", "local", "root.crt");

    public string Name => "Caddy";

    public string? LocalCertificateAuthority => File.Exists(RootCertificatePath) ? RootCertificatePath : null;

    public string Diagnostics => $"Caddy's log, {Path.Combine(_directory, "caddy.log")}";

    public Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        WithCaddyAsync(async t => CaddyConfig.Observe(await GetAsync(CaddyConfig.RoutesPath, t).ConfigureAwait(false), project, environment), cancellationToken);

    public Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var body = CaddyConfig.Route(route, upstreams);
        return WithCaddyAsync(async t =>
        {
            using var existing = await _admin.GetAsync($"id/{route.Id}", t).ConfigureAwait(false);
            using var response = existing.IsSuccessStatusCode
                ? await _admin.PatchAsync($"id/{route.Id}", JsonContent.Create(body), t).ConfigureAwait(false)
                : await _admin.PostAsync(CaddyConfig.RoutesPath, JsonContent.Create(body), t).ConfigureAwait(false);
            await EnsureOkAsync(response, $"setting route {route.Id}", t).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task RemoveRouteAsync(string id, CancellationToken cancellationToken) => WithCaddyAsync(async t =>
    {
        using var response = await _admin.DeleteAsync($"id/{id}", t).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.BadRequest)) // unknown id: already gone
        {
            await EnsureOkAsync(response, $"removing route {id}", t).ConfigureAwait(false);
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

        await _host.RemoveAsync(cancellationToken).ConfigureAwait(false);
        _started = false;
    }

    public void Dispose()
    {
        _admin.Dispose();
        _ready.Dispose();
    }

    /// <summary>Caddy answers with the platform's server configured, or is started (and configured) now.</summary>
    private async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }

        await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                return;
            }

            Directory.CreateDirectory(_directory);
            var config = Path.Combine(_directory, "caddy.json");
            var bootstrap = CaddyConfig.Bootstrap(_spec, Path.Combine(_directory, "storage"), Path.Combine(_directory, "caddy.log"));
            await File.WriteAllTextAsync(config, bootstrap.ToJsonString(), cancellationToken).ConfigureAwait(false);
            if (!await AnswersAsync(cancellationToken).ConfigureAwait(false))
            {
                await _host.StartAsync(_directory, config, cancellationToken).ConfigureAwait(false);
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

            // A Caddy that answers but lacks the platform's server (its first start, or one reset by hand) gets the bootstrap.
            if (!await ServerConfiguredAsync(cancellationToken).ConfigureAwait(false))
            {
                using var response = await _admin.PostAsync("load", JsonContent.Create(bootstrap), cancellationToken).ConfigureAwait(false);
                await EnsureOkAsync(response, "loading the ingress configuration", cancellationToken).ConfigureAwait(false);
            }

            _started = true;
        }
        finally
        {
            _ready.Release();
        }
    }

    private async Task<bool> ServerConfiguredAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync($"config/apps/http/servers/{CaddyConfig.Server}", cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (CaddyConfigLostException)
        {
            return false;
        }
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

