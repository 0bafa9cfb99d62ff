using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;
using Gitops.Schema.Yaml;

namespace Gitops.Engine.Targets;

/// <summary>A deployment target on the platform: a container engine and the socket it answers on.</summary>
public sealed record TargetSpec
{
    [Required]
    [Description("docker or podman.")]
    public EngineKind Kind { get; init; }

    [Description("Unix socket of the engine's API. Default: the engine's standard socket.")]
    public string? Socket { get; init; }

    public string SocketPath => Socket ?? (Kind == EngineKind.Podman ? "/run/podman/podman.sock" : "/var/run/docker.sock");

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} at {SocketPath}";
}

/// <summary>The platform's ingress: Caddy, started by the platform, routing public services by host name.</summary>
public sealed record IngressSpec
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

/// <summary><c>platform.yaml</c> in the data directory: the targets environments deploy to.</summary>
public sealed record PlatformConfig
{
    public const string FileName = "platform.yaml";

    public ValueMap<TargetSpec> Targets { get; init; } = ValueMap<TargetSpec>.Empty;

    [Description("Allow file:// repository URLs (local development and tests). Default: only https:// and ssh://.")]
    public bool AllowFileUrls { get; init; }

    [Description("The ingress (Caddy) that routes public services; none when absent.")]
    public IngressSpec? Ingress { get; init; }

    /// <summary>
    /// Reads the file. A platform whose file names no <c>local</c> target (or has no file) gets
    /// <c>local</c> = the engine found on this machine, Docker first.
    /// </summary>
    public static PlatformConfig Load(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, FileName);
        var config = File.Exists(file) ? Read(file) : new PlatformConfig();
        if (config.Targets.ContainsKey("local"))
        {
            return config;
        }

        var kind = File.Exists(new TargetSpec { Kind = EngineKind.Docker }.SocketPath) || !File.Exists(new TargetSpec { Kind = EngineKind.Podman }.SocketPath)
            ? EngineKind.Docker
            : EngineKind.Podman;
        return config with { Targets = new ValueMap<TargetSpec>(config.Targets.Append(new KeyValuePair<string, TargetSpec>("local", new TargetSpec { Kind = kind }))) };
    }

    private static PlatformConfig Read(string file)
    {

        var (root, errors) = SafeYamlReader.Read(File.ReadAllText(file), file);
        var problems = errors.ToList();
        var config = root is null ? new PlatformConfig() : ManifestBinder.Bind<PlatformConfig>(root, new SourceMap(file), problems);
        if (problems.Count > 0)
        {
            throw new InvalidDataException(string.Join(Environment.NewLine, problems.Select(p => p.ToString())));
        }

        return config;
    }

    public TargetSpec Target(string name) =>
        Targets.TryGetValue(name, out var target)
            ? target
            : throw new KeyNotFoundException($"no target '{name}' on this platform; targets: {string.Join(", ", Targets.Keys)}{Suggestions.Hint(name, Targets.Keys)} (define targets in {FileName})");
}
