namespace Gitops.Server;

/// <summary>How the server runs. Defaults suit one machine: loopback only, a poll a minute.</summary>
public sealed record ServerOptions
{
    public required string DataDirectory { get; init; }

    /// <summary>Loopback by default: put a TLS proxy in front to expose it.</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8787";

    /// <summary>Allows plain HTTP on a non-loopback address (see <see cref="TransportPolicy"/>).</summary>
    public bool InsecureHttp { get; init; }

    /// <summary>PEM certificate (chain) and key for https:// listen addresses.</summary>
    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Webhook bodies larger than this are refused before they are read.</summary>
    public long MaxWebhookBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// How long a stop request waits for the deploy in flight to finish. Past it the deploy is
    /// cancelled, and its journal lets the next start finish or undo the interrupted step.
    /// </summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>One JSON object per log line (for journald, Loki, Datadog…) instead of readable text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Log records go to this file (appended, owner-only) instead of the console: the quick start's console is for people.</summary>
    public string? LogFile { get; init; }

    /// <summary>The clock crons are scheduled by (a test moves it ahead to make a schedule due); the system's by default.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Addresses of reverse proxies whose X-Forwarded-For is believed (for login throttling); none by default.</summary>
    public IReadOnlyCollection<string> TrustedProxies { get; init; } = [];
}
