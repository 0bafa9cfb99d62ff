using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gitops.IntegrationTests;

/// <summary>
/// Debian's rsyslogd as a test's syslog server: TCP with TLS (its gtls driver) on a free port, a
/// certificate for localhost from a certificate authority made for the test, and every message
/// written to a file as <c>time|host|app|procid|msgid|structured-data|msg</c>.
/// </summary>
internal sealed class Rsyslog : IDisposable
{
    private readonly Process _process;

    private Rsyslog(string directory, int port, Process process) => (Directory, Port, _process) = (directory, port, process);

    public string Directory { get; }

    public int Port { get; }

    public string CaPath => Path.Combine(Directory, "ca.pem");

    /// <summary>The messages received so far, one per line.</summary>
    public IReadOnlyList<string> Received => File.Exists(Output) ? File.ReadAllLines(Output) : [];

    private string Output => Path.Combine(Directory, "received.log");

    public static async Task<Rsyslog> StartAsync()
    {
        if (!File.Exists("/usr/sbin/rsyslogd"))
        {
            Engines.Require("rsyslogd is not installed (scripts/setup-engines.sh installs rsyslog and rsyslog-gnutls)");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("paas-rsyslog-").FullName;
        var port = FreePort.Next();
        WriteCertificates(directory);
        var config = Path.Combine(directory, "rsyslog.conf");
        File.WriteAllText(config, $$"""
            global(workDirectory="{{directory}}"
                   DefaultNetstreamDriver="gtls"
                   DefaultNetstreamDriverCAFile="{{directory}}/ca.pem"
                   DefaultNetstreamDriverCertFile="{{directory}}/cert.pem"
                   DefaultNetstreamDriverKeyFile="{{directory}}/key.pem")
            module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
            input(type="imtcp" port="{{port}}")
            template(name="fields" type="string" string="%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\n")
            action(type="omfile" file="{{directory}}/received.log" template="fields")

            """);
        var start = new ProcessStartInfo("/usr/sbin/rsyslogd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-n", "-f", config, "-i", Path.Combine(directory, "rsyslogd.pid") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var server = new Rsyslog(directory, port, process);
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(100))
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
            catch (SocketException)
            {
                var why = process.HasExited ? await process.StandardError.ReadToEndAsync() : "";
                server.Dispose();
                throw new InvalidOperationException($"rsyslogd did not listen on {port}: {why}");
            }
        }
    }

    /// <summary>A CA, and a certificate it signed for localhost and 127.0.0.1, as PEM files (rsyslog reads PKCS#1 keys).</summary>
    private static void WriteCertificates(string directory)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=paas test syslog CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportRSAPrivateKeyPem());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
