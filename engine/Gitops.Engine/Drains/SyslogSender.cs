using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gitops.Engine.Drains;

/// <summary>
/// Syslog over TCP, with TLS unless the server is this machine: each line an RFC 5424 message
/// (<c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [paas@32473 …] MSG</c>, facility user,
/// severity informational for stdout and warning for stderr), octet-counted as RFC 5425 frames it. The
/// connection is kept between batches and made again after a failure (the batch is sent again).
/// </summary>
internal sealed class SyslogSender(DrainConfig drain) : IDrainSender, IDisposable
{
    /// <summary>RFC 5612's enterprise number for documentation: the structured data's id says it is paas's own.</summary>
    private const string SdId = "paas@32473";
    private readonly Uri _address = new(drain.Url!);
    private readonly string _hostname = Printable(Environment.MachineName, 255);
    private readonly X509Certificate2Collection? _trusted = drain.Ca is { } ca ? LoadCa(ca) : null;
    private TcpClient? _client;
    private Stream? _stream;

    public async Task SendAsync(IReadOnlyList<DrainRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        try
        {
            var stream = _stream ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
            var frames = new StringBuilder();
            foreach (var record in batch)
            {
                var message = Message(record);
                frames.Append(Encoding.UTF8.GetByteCount(message).ToString(CultureInfo.InvariantCulture)).Append(' ').Append(message);
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(frames.ToString()), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            Close();
            throw new IOException($"syslog {_address.Host}:{_address.Port}: {e.Message}", e);
        }
    }

    public void Dispose() => Close();

    private async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        _client = new TcpClient();
        await _client.ConnectAsync(_address.Host, _address.Port, cancellationToken).ConfigureAwait(false);
        Stream stream = _client.GetStream();
        if (_address.Scheme == "tls")
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _address.Host,
                RemoteCertificateValidationCallback = _trusted is null ? null : (_, certificate, _, errors) => ChainsToCa(certificate, errors),
            }, cancellationToken).ConfigureAwait(false);
            stream = tls;
        }

        return _stream = stream;
    }

    /// <summary>A private CA: the server's certificate must chain to it and name the host, nothing else is trusted.</summary>
    private bool ChainsToCa(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    private string Message(DrainRecord record)
    {
        var severity = record.Stream == "stderr" ? 4 : 6;
        var app = Printable(record.Service ?? "paas-deploy", 48);
        var time = record.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var data = $"[{SdId} project=\"{Param(record.Project)}\" environment=\"{Param(record.Environment)}\" log=\"{record.Log}\" stream=\"{Param(record.Stream)}\"]";
        return $"<{(1 * 8) + severity}>1 {time} {_hostname} {app} {Printable(record.Source, 128)} {record.Log} {data} \uFEFF{record.Message}";
    }

    /// <summary>RFC 5424's header fields are printable US-ASCII without spaces, each with a length limit.</summary>
    private static string Printable(string value, int max)
    {
        var text = new string(value.Select(c => c is > ' ' and <= '~' ? c : '_').ToArray());
        return text.Length == 0 ? "-" : text.Length > max ? text[..max] : text;
    }

    /// <summary>A structured-data value escapes <c>"</c>, <c>\</c> and <c>]</c>.</summary>
    private static string Param(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);

    private static X509Certificate2Collection LoadCa(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }

    private void Close()
    {
        _stream?.Dispose();
        _client?.Dispose();
        (_stream, _client) = (null, null);
    }
}
