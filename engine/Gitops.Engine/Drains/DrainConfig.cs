using System.ComponentModel;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;

namespace Gitops.Engine.Drains;

/// <summary>Where a drain ships to and in which format.</summary>
public enum DrainKind
{
    /// <summary>JSON lines, batched and gzipped, POSTed to a URL (Vector, Fluent Bit, Loki's push gateway, a script).</summary>
    Http,

    /// <summary>OTLP/HTTP logs (JSON, gzipped), POSTed to a collector's <c>/v1/logs</c>.</summary>
    Otlp,

    /// <summary>Syslog (RFC 5424 messages, octet-counted as RFC 5425 frames them) over TCP with TLS: rsyslog, syslog-ng, a SIEM.</summary>
    Syslog,
}

/// <summary>One drain of platform.yaml's <c>drains:</c>: what it ships, where, and how much it holds while the far end is down.</summary>
public sealed record DrainConfig
{
    [Description("http (JSON lines) or otlp (OTLP/HTTP logs).")]
    public DrainKind Kind { get; init; }

    [Description("http, otlp: where batches are POSTed (https; http only to this machine; otlp: the collector's full /v1/logs address). syslog: tls://host:port (tcp://host:port only to this machine).")]
    public string? Url { get; init; }

    [Description("syslog: a PEM file of the certificate authority the server's certificate must chain to (a private one); default: the system's.")]
    public string? Ca { get; init; }

    [Description("Which logs: runtime (every service's output) and/or deploy (deployment logs). Default both.")]
    public ValueList<string> Logs { get; init; } = new(["runtime", "deploy"]);

    [Description("On-disk buffer bridging an outage of the far end; when full the oldest lines go, counted. Default 64Mi, at least 64Ki.")]
    public ByteSize Buffer { get; init; } = ByteSize.FromMebibytes(64);

    [Description("Most lines in one request. Default 500.")]
    public int Batch { get; init; } = 500;

    public bool Ships(string kind) => Logs.Contains(kind);
}

/// <summary><c>drains:</c> in platform.yaml: drains by name.</summary>
public static class DrainsConfig
{
    public static readonly IReadOnlyList<string> LogKinds = ["runtime", "deploy"];

    /// <summary>Why a drain may not send to its url: http(s) like a webhook, or tls:// (tcp:// to this machine only) for syslog.</summary>
    private static string? UrlRefusal(DrainConfig drain) => drain.Kind switch
    {
        DrainKind.Syslog => !Uri.TryCreate(drain.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("tls" or "tcp") || uri.Port <= 0 ? $"'{drain.Url}' is not tls://host:port (or tcp://host:port to this machine)"
            : uri.Scheme == "tcp" && !Notifications.Endpoint.IsThisMachine(uri.Host) ? $"'{drain.Url}' would travel in clear text; use tls:// (tcp:// only to this machine)"
            : null,
        _ => Notifications.Endpoint.Refusal(drain.Url!),
    };

    /// <summary>What each drain must have, each with its <c>platform.yaml:line:column</c>.</summary>
    public static void Check(ValueMap<DrainConfig> drains, SourceMap map, List<Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(drains);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        void Problem(string code, string at, string message) => problems.Add(new Diagnostic(code, message, map.Locate(at), at));
        foreach (var (name, drain) in drains)
        {
            var at = $"drains.{name}";
            if (!Schema.Validation.Grammar.Name().IsMatch(name))
            {
                Problem(ErrorCodes.Required, at, $"drain name '{name}' must be lower-case letters, digits and '-', starting with a letter");
            }

            if ((drain.Url is null ? $"drain {name} needs url" : UrlRefusal(drain)) is { } wrong)
            {
                Problem(ErrorCodes.Required, $"{at}.url", drain.Url is null ? wrong : $"{at}.url: {wrong}");
            }

            if (drain.Ca is { } ca && !File.Exists(ca))
            {
                Problem(ErrorCodes.Required, $"{at}.ca", $"{at}.ca: no file {ca}");
            }

            foreach (var kind in drain.Logs.Where(k => !LogKinds.Contains(k)))
            {
                Problem(ErrorCodes.Range, $"{at}.logs", $"{at}.logs: '{kind}' is not a kind of log a drain ships (runtime, deploy)");
            }

            if (drain.Buffer.Bytes < 64 * 1024)
            {
                Problem(ErrorCodes.Range, $"{at}.buffer", $"{at}.buffer must be at least 64Ki, not {drain.Buffer}");
            }

            if (drain.Batch is < 1 or > 10_000)
            {
                Problem(ErrorCodes.Range, $"{at}.batch", $"{at}.batch must be between 1 and 10000, not {drain.Batch}");
            }
        }
    }
}
