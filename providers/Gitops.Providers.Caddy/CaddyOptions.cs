using System.ComponentModel;

namespace Gitops.Providers.Caddy;

/// <summary>The ingress of kind caddy in platform.yaml (after <c>kind</c>): Caddy, started by the platform, routing public services by host name.</summary>
public sealed record CaddyOptions
{
    [Description("Default domains are <service>-<env>-<project>.<baseDomain>. Default: localhost (browsers and curl resolve *.localhost to this machine).")]
    public string BaseDomain { get; init; } = "localhost";

    [Description("Port of plain HTTP (it redirects to HTTPS). Default: 80.")]
    public int HttpPort { get; init; } = 80;

    [Description("Port of HTTPS. Default: 443.")]
    public int HttpsPort { get; init; } = 443;

    [Description("Address HTTPS listens on; empty: every interface.")]
    public string Bind { get; init; } = "";

    [Description("Port of Caddy's admin API, on 127.0.0.1 only. Default: 2019.")]
    public int AdminPort { get; init; } = 2019;

    [Description("Port on 127.0.0.1 where the ingress's router listens behind its TLS edge. Route changes reconfigure the router only, so clients' keep-alive connections to the edge survive them. Default: 2018.")]
    public int RouterPort { get; init; } = 2018;

    public TlsSpec Tls { get; init; } = new();

    [Description("How Caddy runs: process (the platform starts /usr/bin/caddy) or container (on the engine of `target`, host network). Default: process.")]
    public IngressMode Mode { get; init; } = IngressMode.Process;

    [Description("The target whose engine runs the Caddy container (mode: container). Default: local.")]
    public string Target { get; init; } = "local";

    [Description("Image of the Caddy container (mode: container). Default: one made from this machine's Caddy, no registry needed.")]
    public string? Image { get; init; }
}

/// <summary>Where the ingress's Caddy runs.</summary>
public enum IngressMode
{
    Process,
    Container,
}

/// <summary>Where certificates come from.</summary>
public sealed record TlsSpec
{
    [Description("Every certificate from Caddy's own CA (local and test platforms). Default: false: public domains get ACME certificates, local names (*.localhost) the internal CA.")]
    public bool Internal { get; init; }

    [Description("Contact address given to the ACME CA.")]
    public string? Email { get; init; }

    [Description("Use Let's Encrypt's staging CA (untrusted certificates, generous rate limits) while trying things out.")]
    public bool Staging { get; init; }
}
