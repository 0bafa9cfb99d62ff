using System.Net;

namespace Gitops.Server;

/// <summary>
/// Tokens, passwords and session cookies cross this connection, so plain HTTP is used only where
/// nobody else can listen: the loopback interface. Anything else needs TLS, or an explicit
/// <c>--insecure-http</c> from someone who knows the network in between (a TLS proxy on the same host).
/// </summary>
public static class TransportPolicy
{
    public const string InsecureFlag = "--insecure-http";

    /// <summary>Whether an address may carry credentials without TLS: https, or http on a loopback host.</summary>
    public static bool IsSafe(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Scheme == Uri.UriSchemeHttps || IsLoopback(address.Host);
    }

    /// <summary>Refuses listening on plain HTTP beyond loopback unless asked for; says why and what to do instead.</summary>
    /// <exception cref="InsecureTransportException">The address is plain HTTP on a non-loopback interface.</exception>
    public static void CheckListen(string listen, bool insecureHttp, bool hasCertificate)
    {
        ArgumentNullException.ThrowIfNull(listen);
        foreach (var url in listen.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var uri = ParseListen(url);
            if (uri.Scheme == Uri.UriSchemeHttps && !hasCertificate)
            {
                throw new InsecureTransportException($"--listen {url}: https needs --tls-cert FILE and --tls-key FILE (PEM)");
            }

            if (!IsSafe(uri) && !insecureHttp)
            {
                throw new InsecureTransportException(
                    $"--listen {url}: plain HTTP on a non-loopback address would send tokens, passwords and session cookies in clear text; " +
                    $"listen on https:// with --tls-cert and --tls-key, keep it on 127.0.0.1 behind a TLS proxy, or pass {InsecureFlag} if the network in between is yours");
            }
        }
    }

    /// <summary>Refuses talking to a server over plain HTTP beyond loopback unless asked for.</summary>
    /// <exception cref="InsecureTransportException">The address is plain HTTP to a non-loopback host.</exception>
    public static void CheckServer(Uri server, bool insecureHttp)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!IsSafe(server) && !insecureHttp)
        {
            throw new InsecureTransportException(
                $"--server {server}: plain HTTP to another host would send your password and token in clear text; use https://, or pass {InsecureFlag} (or set PAAS_INSECURE_HTTP=1) if the network in between is yours");
        }
    }

    private static Uri ParseListen(string url)
    {
        // Kestrel's wildcards (http://*:80, http://+:80) are not URIs; they mean every interface.
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        return Uri.TryCreate(normalized, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InsecureTransportException($"--listen {url}: not an http:// or https:// address");
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>Credentials would cross a network in clear text.</summary>
public sealed class InsecureTransportException(string message) : Exception(message);
