using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Gitops.Engine.Images;

namespace Gitops.Providers.Docker;

/// <summary>
/// Asks a registry itself (the OCI distribution API) which digest a tag has. Podman 4.3 reports
/// no digest when it pushes, and the digest of its local copy differs from the registry's (the
/// layers are compressed on the way), so the registry's answer is the one to pin. Trusts what the
/// engines trust: the system's CAs and a registry's CA in <c>certs.d</c>. Logins work with Basic
/// and with Bearer-token registries.
/// </summary>
internal static class RegistryApi
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    private static readonly string[] CertificateFolders = ["/etc/docker/certs.d", "/etc/containers/certs.d"];

    /// <summary>The digest the registry holds <paramref name="image"/>'s tag under, or null when it has no such tag.</summary>
    public static async Task<string?> ManifestDigestAsync(ImageReference image, RegistryLogin? login, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(image.Registry, certificate as X509Certificate2, errors) },
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        var host = image.Registry == ImageReference.DockerHub ? "registry-1.docker.io" : image.Registry;
        var path = $"/v2/{image.Repository}/manifests/{image.Tag ?? image.Digest ?? "latest"}";
        try
        {
            return await DigestAsync(http, new Uri($"https://{host}{path}"), login, image.Repository, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (image.OnLoopback)
        {
            // A registry on this machine may speak plain http (the engines allow it there too).
            return await DigestAsync(http, new Uri($"http://{host}{path}"), login, image.Repository, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string?> DigestAsync(HttpClient http, Uri url, RegistryLogin? login, string repository, CancellationToken cancellationToken)
    {
        using var first = await HeadAsync(http, url, null, cancellationToken).ConfigureAwait(false);
        if (first.StatusCode != HttpStatusCode.Unauthorized || login is null)
        {
            return Digest(first);
        }

        var challenge = first.Headers.WwwAuthenticate.FirstOrDefault();
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.Username}:{login.Password}")));
        var authorization = challenge?.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) == true
            ? new AuthenticationHeaderValue("Bearer", await TokenAsync(http, challenge.Parameter ?? "", basic, repository, cancellationToken).ConfigureAwait(false))
            : basic;
        using var second = await HeadAsync(http, url, authorization, cancellationToken).ConfigureAwait(false);
        return Digest(second);
    }

    private static async Task<HttpResponseMessage> HeadAsync(HttpClient http, Uri url, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        request.Headers.Authorization = authorization;
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static string? Digest(HttpResponseMessage response) =>
        response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;

    /// <summary>The token dance of Docker Hub, GHCR and others: the challenge names where to trade the login for a token.</summary>
    private static async Task<string> TokenAsync(HttpClient http, string challenge, AuthenticationHeaderValue basic, string repository, CancellationToken cancellationToken)
    {
        var parts = challenge.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim().Trim('"'), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException("the registry asked for a token from no https address");
        }

        var query = $"service={Uri.EscapeDataString(parts.GetValueOrDefault("service") ?? "")}&scope={Uri.EscapeDataString(parts.GetValueOrDefault("scope") ?? $"repository:{repository}:pull")}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{realm}{(realm.Contains('?', StringComparison.Ordinal) ? "&" : "?")}{query}"));
        request.Headers.Authorization = basic;
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return (json.RootElement.TryGetProperty("token", out var token) || json.RootElement.TryGetProperty("access_token", out token)) && token.GetString() is { } value
            ? value
            : throw new InvalidOperationException("the registry's token service answered without a token");
    }

    /// <summary>Valid for the system, or signed by a CA the engines were given for this registry (the name must match either way).</summary>
    private static bool Trusted(string registry, X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        var authorities = CertificateFolders.Select(f => Path.Combine(f, registry)).Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*.crt")).ToList();
        if (authorities.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var file in authorities)
        {
            chain.ChainPolicy.CustomTrustStore.ImportFromPemFile(file);
        }

        return chain.Build(certificate);
    }
}
