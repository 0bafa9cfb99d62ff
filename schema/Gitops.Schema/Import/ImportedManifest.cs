using Gitops.Schema.Model;

namespace Gitops.Schema.Import;

/// <summary>A service as it will be written into paas.yaml; filled in by <see cref="ComposeServiceImport"/>.</summary>
internal sealed class ImportedService(string name, string composeName)
{
    public string Name { get; } = name;

    public string ComposeName { get; } = composeName;

    public ImportedBuild? Build { get; set; }

    public string? Image { get; set; }

    public List<string>? Command { get; set; }

    public string? User { get; set; }

    public int? Port { get; set; }

    public bool Public { get; set; }

    public List<string> Domains { get; } = [];

    public int? Replicas { get; set; }

    public ImportedHealth? Health { get; set; }

    public List<ImportedEnv> Env { get; } = [];

    public List<string> Secrets { get; } = [];

    public CpuQuantity? Cpu { get; set; }

    public ByteSize? Memory { get; set; }

    public bool Gvisor { get; set; }

    public bool ReadOnly { get; set; }

    /// <summary>Compose service names, mapped to paas names once every service is known.</summary>
    public List<(string Service, Yaml.YNode At)> DependsOn { get; } = [];

    /// <summary>Compose volume names (as written) and the absolute path each mounts at.</summary>
    public List<(string Volume, string Path)> Volumes { get; } = [];

    /// <summary>Set once every service is known: dependencies and volumes under their paas names.</summary>
    public List<string> ResolvedDependsOn { get; } = [];

    public List<(string Name, string Path)> ResolvedVolumes { get; } = [];

    public DeployStrategy? Strategy { get; set; }

    /// <summary>The notes about this service, written as comments above its fields.</summary>
    public List<ComposeNote> Notes { get; } = [];
}

internal sealed record ImportedBuild(string Context, string? Dockerfile, IReadOnlyList<KeyValuePair<string, string>> Args, string? Target, BuildNetwork? Network);

internal sealed record ImportedHealth
{
    public IReadOnlyList<string>? Command { get; init; }

    public string? Path { get; init; }

    public int? Port { get; init; }

    public Duration? Interval { get; init; }

    public Duration? Timeout { get; init; }

    public int? Retries { get; init; }

    public Duration? StartPeriod { get; init; }
}

/// <param name="Comment">Written after the value, e.g. that it looks like a credential.</param>
internal sealed record ImportedEnv(string Key, string Value, string? Comment);
