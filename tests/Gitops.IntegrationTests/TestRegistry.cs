using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gitops.IntegrationTests;

/// <summary>
/// A real image registry for one test: Debian's <c>docker-registry</c> (distribution 2.8) serving a
/// temp directory on a free loopback port. Anonymous over plain HTTP (Docker treats 127.0.0.0/8 as
/// insecure, so it pulls over HTTP; Podman does not), or htpasswd auth over HTTPS with a CA made for
/// this registry alone, which both engines trust through their per-registry <c>certs.d</c>
/// directories (read on every access: no engine restart). Needs the docker-registry and
/// apache2-utils packages (scripts/setup-engines.sh) and root, as the platform's tests run.
/// </summary>
public sealed partial class TestRegistry : IAsyncDisposable
{
    private const string Binary = "/usr/bin/docker-registry";
    private const string Htpasswd = "/usr/bin/htpasswd";

    /// <summary>The per-registry trust directories Docker and Podman read a <c>ca.crt</c> from.</summary>
    private static readonly string[] CertsDirectories = ["/etc/docker/certs.d", "/etc/containers/certs.d"];

    private static readonly string[] ManifestTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    private readonly string _directory;
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly List<string> _trustDirectories;

    private TestRegistry(string directory, int port, bool tls, string? user, string? password, Process process, HttpClient http, List<string> trustDirectories)
    {
        (_directory, _process, _http, _trustDirectories) = (directory, process, http, trustDirectories);
        Host = $"127.0.0.1:{port}";
        Tls = tls;
        User = user;
        Password = password;
    }

    /// <summary>The registry's address as image names spell it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; }

    public bool Tls { get; }

    public string? User { get; }

    public string? Password { get; }

    /// <summary>The credentials engines send (X-Registry-Auth); empty for an anonymous registry.</summary>
    public AuthConfig Auth => User is null ? new AuthConfig() : new AuthConfig { Username = User, Password = Password, ServerAddress = Host };

    /// <summary>An anonymous registry over plain HTTP.</summary>
    public static Task<TestRegistry> StartAnonymousAsync(CancellationToken ct = default) => StartAsync(null, null, ct);

    /// <summary>A registry over HTTPS that accepts only <paramref name="user"/> with <paramref name="password"/>.</summary>
    public static Task<TestRegistry> StartWithPasswordAsync(string user, string password, CancellationToken ct = default) => StartAsync(user, password, ct);

    /// <summary>
    /// Tags the Docker engine's local <paramref name="sourceImage"/> as <c>Host/repository:tag</c>,
    /// pushes it with this registry's credentials, then removes that name (and its digest reference)
    /// from the engine, so a later use must pull it. Returns the pushed manifest digest.
    /// </summary>
    public async Task<string> SeedAsync(DockerClient docker, string sourceImage, string repository, string tag, CancellationToken ct = default)
    {
        var name = $"{Host}/{repository}";
        await docker.Images.TagImageAsync(sourceImage, new ImageTagParameters { RepositoryName = name, Tag = tag }, ct);
        try
        {
            var progress = new EngineProgress();
            await docker.Images.PushImageAsync(name, new ImagePushParameters { Tag = tag }, Auth, progress, ct);
            progress.ThrowOnError($"pushing {name}:{tag}");
            var digest = progress.Digest
                ?? (await docker.Images.InspectImageAsync($"{name}:{tag}", ct)).RepoDigests?.FirstOrDefault(d => d.StartsWith(name + "@", StringComparison.Ordinal))?[(name.Length + 1)..]
                ?? throw new InvalidOperationException($"pushing {name}:{tag} reported no digest:\n{progress}");
            await TryUntagAsync(docker, $"{name}@{digest}"); // Docker drops it with the repository's last tag anyway; stated for clarity
            return digest;
        }
        finally
        {
            await TryUntagAsync(docker, $"{name}:{tag}");
        }
    }

    /// <summary>The registry's <c>Docker-Content-Digest</c> for a manifest, or null when it has none (404).</summary>
    public async Task<string?> ManifestDigestAsync(string repository, string reference, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{BaseUrl}/v2/{repository}/manifests/{reference}");
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        if (User is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        }

        using var response = await _http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.Single()
            : throw new InvalidOperationException($"{request.RequestUri} answered without a Docker-Content-Digest header");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
        _http.Dispose();
        foreach (var directory in _trustDirectories)
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private string BaseUrl => $"{(Tls ? "https" : "http")}://{Host}";

    private static async Task<TestRegistry> StartAsync(string? user, string? password, CancellationToken ct)
    {
        foreach (var (file, package) in new[] { (Binary, "docker-registry"), (Htpasswd, "apache2-utils") })
        {
            if (!File.Exists(file))
            {
                Engines.Require($"{file} is missing (the {package} package)");
            }
        }

        // A free port may be taken by a parallel test between the probe and the bind: try another.
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("paas-registry-").FullName;
            try
            {
                return await TryStartAsync(directory, FreePort.Next(), user, password, ct);
            }
            catch (PortTakenException) when (attempt < 3)
            {
                Directory.Delete(directory, recursive: true);
            }
            catch
            {
                Directory.Delete(directory, recursive: true);
                throw;
            }
        }
    }

    private static async Task<TestRegistry> TryStartAsync(string directory, int port, string? user, string? password, CancellationToken ct)
    {
        var tls = user is not null;
        var host = $"127.0.0.1:{port}";
        var config = new StringBuilder($"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: "{Path.Combine(directory, "data")}"
              delete:
                enabled: true
            http:
              addr: "{host}"

            """);
        X509Certificate2? ca = null;
        var trustDirectories = new List<string>();
        HttpClient? http = null;
        Process? process = null;
        try
        {
            if (tls)
            {
                ca = WriteCertificates(directory);
                config.Append($"""
                      tls:
                        certificate: "{Path.Combine(directory, "server.crt")}"
                        key: "{Path.Combine(directory, "server.key")}"
                    auth:
                      htpasswd:
                        realm: paas-test-registry
                        path: "{Path.Combine(directory, "htpasswd")}"

                    """);
                await File.WriteAllTextAsync(Path.Combine(directory, "htpasswd"), await HtpasswdLineAsync(user!, password!, ct), ct);
                foreach (var root in CertsDirectories)
                {
                    var trust = Path.Combine(root, host);
                    Directory.CreateDirectory(trust);
                    trustDirectories.Add(trust);
                    await File.WriteAllTextAsync(Path.Combine(trust, "ca.crt"), ca.ExportCertificatePem(), ct);
                }
            }

            var configPath = Path.Combine(directory, "config.yml");
            await File.WriteAllTextAsync(configPath, config.ToString(), ct);
            http = NewHttpClient(ca);
            var stderr = new StringBuilder();
            process = Process.Start(new ProcessStartInfo(Binary) { ArgumentList = { "serve", configPath }, RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            await WaitUntilServingAsync(http, $"{(tls ? "https" : "http")}://{host}/v2/", process, stderr, ct);
            return new TestRegistry(directory, port, tls, user, password, process, http, trustDirectories);
        }
        catch
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            process?.Dispose();
            http?.Dispose();
            trustDirectories.ForEach(d => Directory.Delete(d, recursive: true));
            throw;
        }
        finally
        {
            ca?.Dispose();
        }
    }

    /// <summary>Polls <c>/v2/</c> until it answers 200 (anonymous) or 401 (auth); an exited registry throws with its stderr.</summary>
    private static async Task WaitUntilServingAsync(HttpClient http, string url, Process process, StringBuilder stderr, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(30)); // a start-up bound, not an assertion
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(CancellationToken.None); // flushes the stderr reader
                string error;
                lock (stderr)
                {
                    error = stderr.ToString();
                }

                if (error.Contains("address already in use", StringComparison.Ordinal))
                {
                    throw new PortTakenException();
                }

                throw new InvalidOperationException($"docker-registry exited with {process.ExitCode} before serving {url}:\n{error}");
            }

            try
            {
                using var response = await http.GetAsync(url, limit.Token);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"docker-registry did not answer {url} within 30 s");
            }

            await Task.Delay(50, limit.Token);
        }
    }

    /// <summary>An HttpClient that trusts this registry's CA only (or plain HTTP without one).</summary>
    private static HttpClient NewHttpClient(X509Certificate2? ca)
    {
        var handler = new SocketsHttpHandler();
        if (ca is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(ca.RawData));
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Writes ca.crt, server.crt and server.key: a CA made for this registry alone and a server
    /// certificate for 127.0.0.1 (and localhost) signed by it. Returns the CA (public part).
    /// </summary>
    private static X509Certificate2 WriteCertificates(string directory)
    {
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1); // engines' clocks may lag a little
        var notAfter = DateTimeOffset.UtcNow.AddDays(2);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=paas test registry CA {Guid.NewGuid():N}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var server = serverRequest.Create(ca, notBefore, notAfter, serial);

        File.WriteAllText(Path.Combine(directory, "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.crt"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(ca.RawData);
    }

    /// <summary><c>htpasswd -Bbn</c>: a bcrypt line, the only hash distribution accepts.</summary>
    private static async Task<string> HtpasswdLineAsync(string user, string password, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo(Htpasswd) { ArgumentList = { "-Bbn", user, password }, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return process.ExitCode == 0 ? (await output).Trim() + "\n" : throw new InvalidOperationException($"htpasswd failed with {process.ExitCode}: {await error}");
    }

    /// <summary>Removes one image name from the engine (never the image other names still hold).</summary>
    private static async Task TryUntagAsync(DockerClient docker, string name)
    {
        try
        {
            await docker.Images.DeleteImageAsync(name, new ImageDeleteParameters { Force = false, NoPrune = false }, CancellationToken.None);
        }
        catch (DockerImageNotFoundException)
        {
            // already gone
        }
    }

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex PushedDigest();

    private sealed class PortTakenException : Exception;

    /// <summary>Collects an engine's progress stream synchronously (Progress&lt;T&gt; would report after the call returns).</summary>
    internal sealed class EngineProgress : IProgress<JSONMessage>
    {
        private readonly List<string> _lines = [];

        public string? Digest { get; private set; }

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            lock (_lines)
            {
                _lines.Add(value.Error?.Message ?? value.Status ?? "");
                Error ??= value.Error?.Message;
                if (value.Status is { } status && PushedDigest().Match(status) is { Success: true } match)
                {
                    Digest = match.Groups[1].Value;
                }
            }
        }

        /// <summary>Engines report a failed pull or push inside a 200 stream: that is a failure too.</summary>
        public void ThrowOnError(string what)
        {
            if (Error is not null)
            {
                throw new InvalidOperationException($"{what}: {Error}");
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}
