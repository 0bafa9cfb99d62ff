using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Gitops.Engine.Ingress;

/// <summary>
/// An HTTPS client for the ingress on this machine (the quick start's check, tests, benchmarks): it
/// connects to 127.0.0.1 whatever the host name (as DNS for *.localhost does), trusts one root
/// certificate only (Caddy's internal CA), never follows redirects, opens new connections every
/// second, and speaks HTTP/2 as browsers do with Caddy (a configuration change then closes
/// connections with GOAWAY, which clients retry safely).
/// </summary>
public static class LocalHttps
{
    public static HttpClient Client(string rootCertificatePath)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromSeconds(1),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustOnly(rootCertificatePath) },
        };
        return new HttpClient(handler)
        {
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    /// <summary>A certificate for the right name whose chain ends at the root in <paramref name="rootCertificatePath"/>, and nothing else.</summary>
    public static RemoteCertificateValidationCallback TrustOnly(string rootCertificatePath)
    {
        var root = X509CertificateLoader.LoadCertificateFromFile(rootCertificatePath);
        return (_, certificate, presented, errors) =>
        {
            if (certificate is null || presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false; // wrong name or no certificate: never accepted
            }

            // The chain the server presented (leaf and intermediate), anchored at the given root only.
            presented.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            presented.ChainPolicy.CustomTrustStore.Add(root);
            presented.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return presented.Build(new X509Certificate2(certificate));
        };
    }
}
