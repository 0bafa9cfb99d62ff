using Gitops.Engine.Ingress;
using Gitops.Engine.Targets;
using Gitops.Providers.Caddy;

namespace Gitops.IntegrationTests;

/// <summary>
/// A real Caddy for one test: the world's platform.yaml gets an ingress on free loopback ports
/// with Caddy's internal CA; clients connect to 127.0.0.1 whatever the host name (as DNS for
/// *.localhost would) and trust only that CA's root. Caddy runs as a process, or in a container on
/// the world's engine. Disposing stops that Caddy (and removes its container).
/// </summary>
internal sealed class IngressWorld : IAsyncDisposable
{
    private readonly CaddyIngress _caddy;

    public IngressWorld(EngineWorld world, bool inContainer = false)
    {
        ArgumentNullException.ThrowIfNull(world);
        Spec = new CaddyOptions
        {
            BaseDomain = "localhost", HttpPort = FreePort.Next(), HttpsPort = FreePort.Next(), Bind = "127.0.0.1", AdminPort = FreePort.Next(), RouterPort = FreePort.Next(), Tls = new TlsSpec { Internal = true },
            Mode = inContainer ? IngressMode.Container : IngressMode.Process,
        };
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName),
            $"ingress: {{ baseDomain: localhost, httpPort: {Spec.HttpPort}, httpsPort: {Spec.HttpsPort}, bind: 127.0.0.1, adminPort: {Spec.AdminPort}, routerPort: {Spec.RouterPort}, tls: {{ internal: true }}, mode: {(inContainer ? "container" : "process")} }}\n");
        _caddy = new CaddyIngress(Spec, world.DataDirectory, Engines.Endpoint(world.Engine));
    }

    /// <summary>The container Caddy runs in (mode: container).</summary>
    public string ContainerName => $"paas-ingress-{Spec.AdminPort}";

    public CaddyOptions Spec { get; }

    public CaddyIngress Caddy => _caddy;

    public Uri Https(string host, string path = "/") => new($"https://{host}:{Spec.HttpsPort}{path}");

    public Uri Http(string host, string path = "/") => new($"http://{host}:{Spec.HttpPort}{path}");

    /// <summary>A client that trusts Caddy's root only and connects to this machine whatever the host name.</summary>
    public HttpClient Client() => LocalHttps.Client(_caddy.RootCertificatePath);

    /// <summary>Waits until the URL answers 2xx (Caddy issues a new host's certificate just after the route appears).</summary>
    public async Task<string> WaitForAsync(Uri url, string? containing = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(_caddy.RootCertificatePath))
            {
                try
                {
                    using var client = Client();
                    using var response = await client.GetAsync(url);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.IsSuccessStatusCode && (containing is null || body.Contains(containing, StringComparison.Ordinal)))
                    {
                        return body;
                    }

                    last = $"{(int)response.StatusCode} {body}";
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{url} did not answer{(containing is null ? "" : $" with '{containing}'")} within 30 s: {last}");
    }

    /// <summary>Waits until Caddy's admin API no longer answers: the process is gone, as after a crash.</summary>
    public async Task WaitUntilStoppedAsync()
    {
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            try
            {
                using var _ = await admin.GetAsync(new Uri($"http://127.0.0.1:{Spec.AdminPort}/config/"));
            }
            catch (HttpRequestException)
            {
                return;
            }
        }

        throw new TimeoutException("Caddy still answers 15 s after it was told to stop");
    }

    public async ValueTask DisposeAsync()
    {
        await _caddy.StopAsync(CancellationToken.None);
        _caddy.Dispose();
    }
}
