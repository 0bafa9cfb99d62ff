using System.ComponentModel;
using Gitops.Engine.Images;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;

namespace Gitops.Engine.Targets;

/// <summary>
/// A deployment target on the platform: its name, its kind (which provider drives it) and that
/// provider's own options, bound and checked by the provider (<see cref="ITargetProvider.BindOptions"/>).
/// </summary>
public sealed record TargetConfig(string Name, string Kind, object Options)
{
    /// <summary>The platform's data directory, whose encrypted store may hold the target's credentials (<see cref="TargetCredentials"/>); null for a target not read from one.</summary>
    public string? DataDirectory { get; init; }
}

/// <summary>The platform's ingress: its kind (which provider) and that provider's options.</summary>
public sealed record IngressConfig(string Kind, object Options);

/// <summary>
/// <c>platform.yaml</c> in the data directory: the targets environments deploy to, and the ingress.
/// <code>
/// targets:
///   local: { kind: docker }                      # options after kind are the provider's own
///   edge:  { kind: podman, socket: /run/podman/podman.sock }
/// ingress: { kind: caddy, baseDomain: example.com }
/// registry: https://registry.example.com/paas   # builds are pushed there and run by digest
/// </code>
/// </summary>
public sealed record PlatformConfig
{
    public const string FileName = "platform.yaml";

    /// <summary>By name, in the order the file lists them.</summary>
    public IReadOnlyDictionary<string, TargetConfig> Targets { get; init; } = new Dictionary<string, TargetConfig>();

    public bool AllowFileUrls { get; init; }

    /// <summary>The ingress that routes public services; null when the file declares none.</summary>
    public IngressConfig? Ingress { get; init; }

    /// <summary>Where builds are pushed, to run by digest; null keeps them on the target's engine only.</summary>
    public PushRegistry? Registry { get; init; }

    /// <summary>What may connect to this host from outside (<c>firewall:</c>); null: the platform leaves the host's firewall alone.</summary>
    public Firewall.FirewallConfig? Firewall { get; init; }

    /// <summary>How the platform's autoscaler measures and moves (<c>autoscaler:</c>); its defaults when the file says nothing.</summary>
    public Scaling.AutoscalerConfig Autoscaler { get; init; } = Scaling.AutoscalerConfig.Default;

    /// <summary>platform.yaml's <c>drains:</c>: where runtime and deploy logs are shipped as they are written.</summary>
    public Gitops.Schema.Model.ValueMap<Drains.DrainConfig> Drains { get; init; } = Gitops.Schema.Model.ValueMap<Drains.DrainConfig>.Empty;

    /// <summary>platform.yaml's <c>logs:</c>: how long each kind of log is kept.</summary>
    public Operations.LogRetention Logs { get; init; } = Operations.LogRetention.Default;

    /// <summary>platform.yaml's <c>notifications:</c>: the channels notify rules route events to.</summary>
    public Notifications.NotificationsConfig Notifications { get; init; } = Gitops.Engine.Notifications.NotificationsConfig.None;

    /// <summary>Where backups are kept, by name (<c>backup.to</c> names one); <c>local</c> exists without being declared.</summary>
    public Gitops.Schema.Model.ValueMap<Backups.BackupDestinationConfig> Backups { get; init; } = Gitops.Schema.Model.ValueMap<Backups.BackupDestinationConfig>.Empty;

    /// <summary>The server's scheduled copy of the platform's own state (<c>platformBackup:</c>); null: none.</summary>
    public Backups.PlatformBackupConfig? PlatformBackup { get; init; }

    /// <summary>
    /// Reads the file with the composition root's providers. A platform whose file names no
    /// <c>local</c> target (or has no file) gets <c>local</c> = the first kind this machine runs.
    /// </summary>
    public static PlatformConfig Load(string dataDirectory) => Load(dataDirectory, ProviderRegistry.Default);

    public static PlatformConfig Load(string dataDirectory, ProviderRegistry providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var file = Path.Combine(dataDirectory, FileName);
        var config = File.Exists(file) ? Parse(File.ReadAllText(file), file, providers) : new PlatformConfig();
        var targets = config.Targets.ToDictionary(t => t.Key, t => t.Value with { DataDirectory = dataDirectory }, StringComparer.Ordinal);
        if (!targets.ContainsKey("local") && providers.LocalTarget() is { } local)
        {
            targets["local"] = local with { DataDirectory = dataDirectory };
        }

        return config with { Targets = targets };
    }

    /// <summary>Binds the text; every problem, each with its <c>file:line:column</c>, in one <see cref="InvalidDataException"/>.</summary>
    public static PlatformConfig Parse(string text, string file, ProviderRegistry providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var (root, errors) = SafeYamlReader.Read(text, file);
        var problems = errors.ToList();
        var map = new SourceMap(file);
        var config = new PlatformConfig();
        if (root is YMapping mapping)
        {
            foreach (var key in mapping.Entries.Select(e => e.Key).Where(k => !TopLevelKeys.Contains(k.Value, StringComparer.Ordinal)))
            {
                problems.Add(Problem(ErrorCodes.UnknownKey, map, key, key.Value, $"unknown key '{key.Value}' in {FileName}; keys: {string.Join(", ", TopLevelKeys)}{Suggestions.Hint(key.Value, TopLevelKeys)}"));
            }

            var top = ManifestBinder.Bind<TopLevel>(Only(mapping, "allowFileUrls"), map, problems);
            config = new PlatformConfig
            {
                AllowFileUrls = top.AllowFileUrls,
                Targets = mapping["targets"] is { } targets ? BindTargets(targets, map, providers, problems) : new Dictionary<string, TargetConfig>(),
                Ingress = mapping["ingress"] is { } ingress ? BindIngress(ingress, map, providers, problems) : null,
                Registry = mapping["registry"] is { } registry ? BindRegistry(registry, map, problems) : null,
                Firewall = mapping["firewall"] is { } firewall ? BindFirewall(firewall, map, problems) : null,
                Autoscaler = mapping["autoscaler"] is { } autoscaler ? BindAutoscaler(autoscaler, map, problems) : Scaling.AutoscalerConfig.Default,
                Notifications = mapping["notifications"] is { } notifications ? BindNotifications(notifications, map, problems) : Gitops.Engine.Notifications.NotificationsConfig.None,
                Logs = mapping["logs"] is { } logs ? BindLogs(logs, map, problems) : Operations.LogRetention.Default,
                Drains = mapping["drains"] is not null ? BindDrains(Only(mapping, "drains"), map, problems) : Gitops.Schema.Model.ValueMap<Drains.DrainConfig>.Empty,
                Backups = mapping["backups"] is not null ? BindBackups(Only(mapping, "backups"), map, problems) : Gitops.Schema.Model.ValueMap<Backups.BackupDestinationConfig>.Empty,
            };
            if (mapping["platformBackup"] is not null)
            {
                var scheduled = ManifestBinder.Bind<PlatformBackupSection>(Only(mapping, "platformBackup"), map, problems).PlatformBackup;
                scheduled?.Check(config.Backups.Keys.ToList(), map, problems);
                config = config with { PlatformBackup = scheduled };
            }
        }
        else if (root is not null)
        {
            problems.Add(new Diagnostic(ErrorCodes.Type, "expected a mapping (key: value lines)", new SourceLocation(file, root.Line, root.Column)));
        }

        return problems.Count > 0
            ? throw new InvalidDataException(string.Join(Environment.NewLine, problems.Select(p => p.ToString())))
            : config;
    }

    public TargetConfig Target(string name) =>
        Targets.TryGetValue(name, out var target)
            ? target
            : throw new KeyNotFoundException($"no target '{name}' on this platform; targets: {string.Join(", ", Targets.Keys)}{Suggestions.Hint(name, Targets.Keys)} (define targets in {FileName})");

    private static Dictionary<string, TargetConfig> BindTargets(YNode node, SourceMap map, ProviderRegistry providers, List<Diagnostic> problems)
    {
        var targets = new Dictionary<string, TargetConfig>(StringComparer.Ordinal);
        if (node is not YMapping mapping)
        {
            problems.Add(Problem(ErrorCodes.Type, map, node, "targets", "expected a mapping of target names to their settings"));
            return targets;
        }

        foreach (var (key, value) in mapping.Entries.Select(e => (e.Key, e.Value)))
        {
            var path = $"targets.{key.Value}";
            if (Kind(value, path, map, providers.TargetKinds, problems) is not { } kind)
            {
                continue;
            }

            var options = providers.TargetProvider(kind)!.BindOptions(Without((YMapping)value, "kind"), map, path, problems);
            targets[key.Value] = new TargetConfig(key.Value, kind, options);
        }

        return targets;
    }

    /// <summary>The ingress's <c>kind</c> may be left out: the first ingress kind the platform has (Caddy's today).</summary>
    private static IngressConfig? BindIngress(YNode node, SourceMap map, ProviderRegistry providers, List<Diagnostic> problems)
    {
        if (node is not YMapping mapping)
        {
            problems.Add(Problem(ErrorCodes.Type, map, node, "ingress", "expected a mapping (key: value lines)"));
            return null;
        }

        var kind = mapping["kind"] is null ? (providers.IngressKinds.Count > 0 ? providers.IngressKinds[0] : null) : Kind(mapping, "ingress", map, providers.IngressKinds, problems);
        if (kind is null)
        {
            if (mapping["kind"] is null)
            {
                problems.Add(Problem(ErrorCodes.EnumValue, map, mapping, "ingress", "this platform has no ingress provider"));
            }

            return null;
        }

        return new IngressConfig(kind, providers.IngressProvider(kind)!.BindOptions(Without(mapping, "kind"), map, "ingress", problems));
    }

    private static PushRegistry? BindRegistry(YNode node, SourceMap map, List<Diagnostic> problems)
    {
        if (node is not YScalar { IsNull: false } url)
        {
            problems.Add(Problem(ErrorCodes.Type, map, node, "registry", "expected the registry's URL, e.g. registry: https://registry.example.com/paas"));
            return null;
        }

        try
        {
            return PushRegistry.Parse(url.Value);
        }
        catch (FormatException e)
        {
            problems.Add(Problem(ErrorCodes.Type, map, url, "registry", e.Message));
            return null;
        }
    }

    private static string? Kind(YNode node, string path, SourceMap map, IReadOnlyList<string> kinds, List<Diagnostic> problems)
    {
        if (node is not YMapping mapping)
        {
            problems.Add(Problem(ErrorCodes.Type, map, node, path, "expected a mapping with a kind, e.g. { kind: docker }"));
            return null;
        }

        if (mapping["kind"] is not YScalar { IsNull: false } kind)
        {
            problems.Add(Problem(ErrorCodes.Required, map, mapping, path, $"{path} needs 'kind': one of {string.Join(", ", kinds)}"));
            return null;
        }

        if (!kinds.Contains(kind.Value, StringComparer.Ordinal))
        {
            problems.Add(Problem(ErrorCodes.EnumValue, map, kind, $"{path}.kind", $"'{kind.Value}' is not a kind this platform has: {string.Join(", ", kinds)}{Suggestions.Hint(kind.Value, kinds)}"));
            return null;
        }

        return kind.Value;
    }

    private static readonly string[] TopLevelKeys = ["targets", "ingress", "registry", "firewall", "autoscaler", "notifications", "logs", "drains", "backups", "platformBackup", "allowFileUrls"];

    private static Notifications.NotificationsConfig BindNotifications(YNode node, SourceMap map, List<Diagnostic> problems)
    {
        var config = ManifestBinder.Bind<Notifications.NotificationsConfig>(node, map, problems, "notifications");
        config.Check(map, "notifications", problems);
        return config;
    }

    private static Gitops.Schema.Model.ValueMap<Drains.DrainConfig> BindDrains(YMapping section, SourceMap map, List<Diagnostic> problems)
    {
        var drains = ManifestBinder.Bind<DrainsSection>(section, map, problems).Drains;
        Gitops.Engine.Drains.DrainsConfig.Check(drains, map, problems);
        return drains;
    }

    private static Gitops.Schema.Model.ValueMap<Backups.BackupDestinationConfig> BindBackups(YMapping section, SourceMap map, List<Diagnostic> problems)
    {
        var destinations = ManifestBinder.Bind<BackupsSection>(section, map, problems).Backups;
        Gitops.Engine.Backups.BackupDestinations.Check(destinations, map, problems);
        return destinations;
    }

    private sealed record PlatformBackupSection
    {
        public Backups.PlatformBackupConfig? PlatformBackup { get; init; }
    }

    private sealed record BackupsSection
    {
        public Gitops.Schema.Model.ValueMap<Backups.BackupDestinationConfig> Backups { get; init; } = Gitops.Schema.Model.ValueMap<Backups.BackupDestinationConfig>.Empty;
    }

    /// <summary>The <c>drains:</c> key bound on its own, so each drain's fields report their place.</summary>
    private sealed record DrainsSection
    {
        public Gitops.Schema.Model.ValueMap<Drains.DrainConfig> Drains { get; init; } = Gitops.Schema.Model.ValueMap<Drains.DrainConfig>.Empty;
    }

    private static Operations.LogRetention BindLogs(YNode node, SourceMap map, List<Diagnostic> problems)
    {
        var config = ManifestBinder.Bind<Operations.LogRetention>(node, map, problems, "logs");
        foreach (var (field, kept) in new[] { ("deploy", config.Deploy), ("cron", config.Cron), ("runtime", config.Runtime) })
        {
            if (kept.Value < TimeSpan.FromHours(1))
            {
                // Shorter would prune a log while people still read it (a deploy that just failed).
                problems.Add(new Diagnostic(ErrorCodes.Range, $"logs.{field} must be at least 1h, not {kept}", map.Locate($"logs.{field}"), $"logs.{field}"));
            }
        }

        return config;
    }

    private static Scaling.AutoscalerConfig BindAutoscaler(YNode node, SourceMap map, List<Diagnostic> problems)
    {
        var config = ManifestBinder.Bind<Scaling.AutoscalerConfig>(node, map, problems, "autoscaler");
        if (config.Interval.Value < TimeSpan.FromSeconds(1))
        {
            // Below a second the engine's counters and the ingress's log say too little between two readings.
            problems.Add(new Diagnostic(ErrorCodes.Range, $"autoscaler.interval must be at least 1s, not {config.Interval}", map.Locate("autoscaler.interval"), "autoscaler.interval"));
        }

        return config;
    }

    private static Firewall.FirewallConfig BindFirewall(YNode node, SourceMap map, List<Diagnostic> problems)
    {
        var config = ManifestBinder.Bind<Firewall.FirewallConfig>(node, map, problems, "firewall");
        config.Check(map, "firewall", problems);
        return config;
    }

    private static YMapping Only(YMapping mapping, params string[] keys) =>
        mapping with { Entries = mapping.Entries.Where(e => keys.Contains(e.Key.Value, StringComparer.Ordinal)).ToList() };

    private static YMapping Without(YMapping mapping, params string[] keys) =>
        mapping with { Entries = mapping.Entries.Where(e => !keys.Contains(e.Key.Value, StringComparer.Ordinal)).ToList() };

    private static Diagnostic Problem(string code, SourceMap map, YNode node, string path, string message) =>
        new(code, message, new SourceLocation(map.File, node.Line, node.Column), path);

    /// <summary>The file's own settings besides targets and ingress.</summary>
    private sealed record TopLevel
    {
        [Description("Allow file:// repository URLs (local development and tests). Default: only https:// and ssh://.")]
        public bool AllowFileUrls { get; init; }
    }
}
