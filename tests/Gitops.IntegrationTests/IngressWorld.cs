using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gitops.Engine.Targets;
using Gitops.Providers.Caddy;

namespace Gitops.IntegrationTests;

/// <summary>
/// A real Caddy for one test: the world's platform.yaml gets an ingress on free loopback ports
/// with Caddy's internal CA; clients connect to 127.0.0.1 whatever the host name (as DNS for
/// *.localhost would) and trust only that CA's root. Disposing stops that Caddy.
/// </summary>
internal sealed class IngressWorld : IAsyncDisposable
{
    private readonly CaddyIngress _caddy;

    public IngressWorld(EngineWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        Spec = new IngressSpec { BaseDomain = "localhost", HttpPort = FreePort.Next(), HttpsPort = FreePort.Next(), Bind = "127.0.0.1", AdminPort = FreePort.Next(), Tls = new TlsSpec { Internal = true } };
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName),
            $"ingress: {{ baseDomain: localhost, httpPort: {Spec.HttpPort}, httpsPort: {Spec.HttpsPort}, bind: 127.0.0.1, adminPort: {Spec.AdminPort}, tls: {{ internal: true }} }}\n");
        _caddy = new CaddyIngress(Spec, world.DataDirectory);
    }

    public IngressSpec Spec { get; }

    public CaddyIngress Caddy => _caddy;

    public Uri Https(string host, string path = "/") => new($"https://{host}:{Spec.HttpsPort}{path}");

    public Uri Http(string host, string path = "/") => new($"http://{host}:{Spec.HttpPort}{path}");

    /// <summary>A client that trusts Caddy's root only, never follows redirects, and opens new connections often (as many clients do).</summary>
    public HttpClient Client()
    {
        var root = X509CertificateLoader.LoadCertificateFromFile(_caddy.RootCertificatePath);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromSeconds(1),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
                {
                    if (certificate is null || presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                    {
                        return false; // wrong name or no certificate: never accepted
                    }

                    // The chain the server presented (leaf and Caddy's intermediate), anchored at Caddy's root only.
                    presented.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    presented.ChainPolicy.CustomTrustStore.Add(root);
                    presented.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return presented.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

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

    public async ValueTask DisposeAsync()
    {
        await _caddy.StopAsync(CancellationToken.None);
        _caddy.Dispose();
    }
}
