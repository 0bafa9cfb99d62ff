using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;

namespace Gitops.Engine.Targets;

/// <summary>
/// A kind of target (docker, podman, swarm, …): it reads its own options from platform.yaml and
/// connects a target of its kind. One per project under <c>providers/</c>; the composition root
/// registers it (docs/architecture.md, "Adding a target kind").
/// </summary>
public interface ITargetProvider
{
    string Kind { get; }

    /// <summary>
    /// Binds the target's options (every key but <c>kind</c>) into the provider's own record; a
    /// problem is added with its place (<c>platform.yaml:4:12</c>) and the field's path under <paramref name="path"/>.
    /// </summary>
    object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems);

    /// <summary>The options of a target of this kind that this machine runs, for the default <c>local</c> target; null when none.</summary>
    object? DetectLocal();

    /// <summary>One line for people: the kind and where it is, e.g. <c>docker at /var/run/docker.sock</c>.</summary>
    string Describe(TargetConfig target);

    /// <summary>The driver and image builder of the target; nothing is contacted until they are used.</summary>
    TargetConnection Connect(TargetConfig target);

    /// <summary>
    /// Why <paramref name="value"/> cannot be a target of this kind's stored credentials (<c>paas target
    /// credentials NAME</c>), without quoting it; null when it can. A kind reached by its options alone keeps none.
    /// </summary>
    string? CredentialsProblem(string value) => $"a {Kind} target keeps no credentials in the platform: its options in platform.yaml say how it is reached";
}

/// <summary>A kind of ingress (caddy, …): it reads its options and opens the ingress the executor routes through.</summary>
public interface IIngressProvider
{
    string Kind { get; }

    object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems);

    /// <param name="platform">For an ingress that runs on one of the platform's targets.</param>
    IIngress Open(IngressConfig ingress, PlatformConfig platform, string dataDirectory);
}

/// <summary>A connected target: its driver and its image builder, released together.</summary>
public sealed record TargetConnection(ITargetDriver Driver, IImageBuilder Images) : IDisposable
{
    /// <summary>
    /// The target's own front door when it routes traffic itself (<see cref="TrafficOwner.Target"/>:
    /// a Kubernetes cluster's ingress controller): used instead of the platform's ingress.
    /// </summary>
    public IIngress? Ingress { get; init; }

    /// <summary>The ingress the environment's public services go through: the target's own, else the platform's.</summary>
    public IIngress? IngressOr(IIngress? platform) => Ingress ?? platform;

    public void Dispose()
    {
        Ingress?.Dispose();
        (Driver as IDisposable)?.Dispose();
    }
}

/// <summary>
/// The kinds of target and ingress this platform has, by name. The composition root (the CLI's
/// <c>PlatformProviders</c>) builds it once at start and makes it the <see cref="Default"/>; the
/// engine, the server and the commands only ever see kinds, never a provider's types.
/// </summary>
public sealed class ProviderRegistry
{
    private static readonly ProviderRegistry Empty = new([], []);
    private static ProviderRegistry? _default;

    private readonly IReadOnlyList<ITargetProvider> _targets;
    private readonly IReadOnlyList<IIngressProvider> _ingresses;

    public ProviderRegistry(IReadOnlyList<ITargetProvider> targets, IReadOnlyList<IIngressProvider> ingresses)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(ingresses);
        if (targets.Select(t => t.Kind).Concat(ingresses.Select(i => i.Kind)).GroupBy(k => k, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"kind '{twice.Key}' is registered twice; a kind names one provider");
        }

        (_targets, _ingresses) = (targets, ingresses);
        TargetKinds = targets.Select(t => t.Kind).ToList();
        IngressKinds = ingresses.Select(i => i.Kind).ToList();
    }

    /// <summary>The composition root's registry; an empty one before it ran (every kind is then unknown).</summary>
    public static ProviderRegistry Default => _default ?? Empty;

    /// <summary>Target kinds in the order the composition root registered them (the default <c>local</c> prefers the first).</summary>
    public IReadOnlyList<string> TargetKinds { get; }

    public IReadOnlyList<string> IngressKinds { get; }

    /// <summary>Called once by the composition root; later calls with the same kinds change nothing.</summary>
    public static void UseAsDefault(ProviderRegistry registry) => Interlocked.CompareExchange(ref _default, registry, null);

    public ITargetProvider? TargetProvider(string kind) => _targets.FirstOrDefault(t => t.Kind == kind);

    public IIngressProvider? IngressProvider(string kind) => _ingresses.FirstOrDefault(i => i.Kind == kind);

    /// <summary>The <c>local</c> target when platform.yaml names none: the first kind this machine runs, else the first kind.</summary>
    public TargetConfig? LocalTarget()
    {
        foreach (var provider in _targets)
        {
            if (provider.DetectLocal() is { } options)
            {
                return new TargetConfig("local", provider.Kind, options);
            }
        }

        // None runs here: the first kind with its default options, so that using it says what is missing.
        return _targets.Count == 0 ? null
            : new TargetConfig("local", _targets[0].Kind, _targets[0].BindOptions(new YMapping([], 0, 0), new SourceMap(PlatformConfig.FileName), "targets.local", []));
    }

    public TargetConnection Connect(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Provider(target).Connect(target);
    }

    public string Describe(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Provider(target).Describe(target);
    }

    /// <summary>The platform's ingress, or null when platform.yaml declares none.</summary>
    public IIngress? OpenIngress(PlatformConfig platform, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return platform.Ingress is { } ingress
            ? (IngressProvider(ingress.Kind) ?? throw new InvalidOperationException($"no ingress provider for kind '{ingress.Kind}'")).Open(ingress, platform, dataDirectory)
            : null;
    }

    private ITargetProvider Provider(TargetConfig target) =>
        TargetProvider(target.Kind) ?? throw new InvalidOperationException($"target '{target.Name}': no provider for kind '{target.Kind}'; kinds: {string.Join(", ", TargetKinds)}");
}
