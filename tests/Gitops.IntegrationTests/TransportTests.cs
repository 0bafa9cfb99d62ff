using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gitops.Server;

namespace Gitops.IntegrationTests;

/// <summary>The server speaks TLS itself when given a PEM certificate, and plain HTTP beyond loopback only when told to.</summary>
public sealed class TransportTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("paas-tls-").FullName;

    [Fact]
    public async Task The_server_answers_over_https_with_the_given_pem_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=paas-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        var certFile = Path.Combine(_data, "tls.crt");
        var keyFile = Path.Combine(_data, "tls.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        var url = $"https://127.0.0.1:{FreePort.Next()}";

        await using var app = PaasServer.Build(new ServerOptions { DataDirectory = _data, Listen = url, TlsCertificate = certFile, TlsKey = keyFile }, TextWriter.Null, _ => { });
        await app.StartAsync();
        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => (presented = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.RawData)) is not null };
        using var http = new HttpClient(handler);
        using var response = await http.GetAsync($"{url}/healthz");
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);
    }

    [Fact]
    public async Task Plain_http_on_every_interface_starts_only_with_insecure_http()
    {
        var port = FreePort.Next();
        var options = new ServerOptions { DataDirectory = _data, Listen = $"http://0.0.0.0:{port}" };

        var refused = Assert.Throws<InsecureTransportException>(() => PaasServer.Build(options, TextWriter.Null, _ => { }));
        await using var app = PaasServer.Build(options with { InsecureHttp = true }, TextWriter.Null, _ => { });
        await app.StartAsync();
        using var http = new HttpClient();
        var status = (await http.GetAsync($"http://127.0.0.1:{port}/healthz")).StatusCode;
        await app.StopAsync();

        Assert.Contains("clear text", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
