using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gitops.IntegrationTests;

/// <summary>
/// A private https Git host for one test: git's own <c>git http-backend</c> behind Kestrel, with a
/// self-signed certificate (trusted by a process given <see cref="CertificateFile"/> as
/// <c>SSL_CERT_FILE</c>) and basic authentication that accepts one user and token only.
/// </summary>
internal sealed class AuthenticatedGitServer : IAsyncDisposable
{
    private const string Backend = "/usr/lib/git-core/git-http-backend";
    private readonly WebApplication _app;
    private long _authenticated;
    private long _refused;

    private AuthenticatedGitServer(WebApplication app, string url, string certificateFile) => (_app, Url, CertificateFile) = (app, url, certificateFile);

    /// <summary>https://localhost:PORT/ — repositories under the root are served by their directory name.</summary>
    public string Url { get; }

    public string CertificateFile { get; }

    public long Authenticated => Interlocked.Read(ref _authenticated);

    public long Refused => Interlocked.Read(ref _refused);

    public static async Task<AuthenticatedGitServer> StartAsync(string root, string user, string token, string certificateDirectory)
    {
        using var certificate = SelfSigned();
        var pfx = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        var certificateFile = Path.Combine(certificateDirectory, "git-server.pem");
        await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());

        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(pfx)));
        var app = builder.Build();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{token}"));
        AuthenticatedGitServer? server = null;
        app.Run(async http =>
        {
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString()), Encoding.UTF8.GetBytes(expected)))
            {
                Interlocked.Increment(ref server!._refused);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
                return;
            }

            Interlocked.Increment(ref server!._authenticated);
            await CgiAsync(http, root, user);
        });
        await app.StartAsync();
        server = new AuthenticatedGitServer(app, $"https://localhost:{port}/", certificateFile);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Runs git http-backend as CGI (an argument-free process; the request goes in its environment and stdin).</summary>
    private static async Task CgiAsync(HttpContext http, string root, string user)
    {
        var start = new ProcessStartInfo(Backend) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["GIT_PROJECT_ROOT"] = root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["PATH_INFO"] = http.Request.Path.Value;
        start.Environment["REQUEST_METHOD"] = http.Request.Method;
        start.Environment["QUERY_STRING"] = http.Request.QueryString.Value?.TrimStart('?') ?? "";
        start.Environment["CONTENT_TYPE"] = http.Request.ContentType ?? "";
        start.Environment["REMOTE_USER"] = user;
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (http.Request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding)
        {
            start.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        using var process = Process.Start(start)!;
        await http.Request.Body.CopyToAsync(process.StandardInput.BaseStream);
        process.StandardInput.Close();
        var output = process.StandardOutput.BaseStream;
        while (ReadLine(output) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (header[..colon], header[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                http.Response.Headers[name] = value;
            }
        }

        await output.CopyToAsync(http.Response.Body);
        await process.WaitForExitAsync();
    }

    private static string ReadLine(Stream stream)
    {
        var line = new List<byte>();
        for (var b = stream.ReadByte(); b >= 0 && b != '\n'; b = stream.ReadByte())
        {
            line.Add((byte)b);
        }

        return Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
