using Gitops.Cli.Commands;
using Gitops.Cli.Output;
using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;
using Spectre.Console;

namespace Gitops.Cli;

/// <summary>Thrown for a problem the user can fix; the CLI prints the message and exits with the code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// What an engine command works with: the loaded manifest, the chosen environment, the state
/// store and the connected target. Opening it checks each in turn and says plainly what is wrong.
/// </summary>
public sealed class EngineSession : IDisposable
{
    private EngineSession(string directory, Manifest manifest, string environment, StateStore state, TargetConnection target, IIngress? ingress, PlatformConfig platform, CliConsole console)
    {
        (Directory, Manifest, Environment, State, _target, Ingress, Platform) = (directory, manifest, environment, state, target, ingress, platform);
        var progress = new ProgressPrinter(console);
        Secrets = new SecretStore(state);
        Deployer = new Deployer(target.Driver, target.Images, state, Secrets, progress, progress.BuildLog, ingress, registry: platform.Registry);
    }

    private readonly TargetConnection _target;

    /// <summary>platform.yaml, as loaded for this session.</summary>
    public PlatformConfig Platform { get; }

    /// <summary>The platform's ingress, when platform.yaml declares one.</summary>
    public IIngress? Ingress { get; }

    public string Directory { get; }

    public Manifest Manifest { get; }

    public string Environment { get; }

    public StateStore State { get; }

    public ITargetDriver Driver => _target.Driver;

    public Deployer Deployer { get; }

    public SecretStore Secrets { get; }

    public static EngineSession Open(string path, EngineOptions options, CliConsole console)
    {
        var directory = System.IO.Directory.Exists(path) ? Path.GetFullPath(path) : Path.GetDirectoryName(Path.GetFullPath(path))!;
        var loaded = ManifestLoader.LoadPath(path);
        if (!loaded.IsValid)
        {
            DiagnosticPrinter.Print(console, loaded.Errors);
            throw new CliException(ExitCodes.InvalidInput, $"{path} is not a valid manifest");
        }

        var environment = options.Environment ?? (loaded.Environments.Count == 1
            ? loaded.Environments.Keys.Single()
            : throw new CliException(ExitCodes.Usage, $"say which environment with --env: {string.Join(", ", loaded.Environments.Keys)}"));
        if (!loaded.Environments.ContainsKey(environment))
        {
            throw new CliException(ExitCodes.InvalidInput, $"no environment '{environment}' in {path}; environments: {string.Join(", ", loaded.Environments.Keys)}");
        }

        var manifest = loaded.ForEnvironment(environment);
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        TargetConfig target;
        PlatformConfig platform;
        try
        {
            platform = PlatformConfig.Load(dataDirectory);
            target = platform.Target(manifest.Environments[environment].Target);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidDataException)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }

        if (Gitops.Engine.Notifications.NotificationRules.Refusals(manifest.Notify, platform.Notifications) is { Count: > 0 } unknown)
        {
            throw new CliException(ExitCodes.InvalidInput, string.Join(System.Environment.NewLine, unknown)); // routed nowhere, silently: refused
        }

        var connection = ProviderRegistry.Default.Connect(target);
        var probe = connection.Driver.ProbeAsync(console.Cancellation).GetAwaiter().GetResult();
        if (!probe.Answers)
        {
            connection.Dispose();
            throw new CliException(ExitCodes.Failed, $"target '{target.Name}': {probe.Detail}");
        }

        StateStore state;
        try
        {
            state = StateStore.Open(dataDirectory);
        }
        catch (StateLockedException e)
        {
            connection.Dispose();
            throw new CliException(ExitCodes.Failed, e.Message);
        }

        // A target with a front door of its own (a cluster's ingress controller) routes its public services itself.
        var ingress = connection.Ingress is null ? ProviderRegistry.Default.OpenIngress(platform, dataDirectory) : null;
        return new EngineSession(directory, manifest, environment, state, connection, connection.IngressOr(ingress), platform, console);
    }

    public void Dispose()
    {
        if (Ingress != _target.Ingress)
        {
            Ingress?.Dispose();
        }

        _target.Dispose();
        State.Dispose();
    }
}

/// <summary>Prints each finished step as one line with its timing, and the build log as it streams.</summary>
internal sealed class ProgressPrinter(CliConsole console) : IProgress<ExecutorEvent>
{
    public IProgress<string> BuildLog { get; } = new BuildLogPrinter(console);

    private readonly Lock _gate = new();

    public void Report(ExecutorEvent value)
    {
        using var _ = _gate.EnterScope();
        var mark = value.Ok ? "[green]✓[/]" : "[red]✗[/]";
        console.Human.MarkupLine($"  {mark} {Markup.Escape(value.Step)} [grey]{Markup.Escape(value.Detail)} {value.Duration.TotalSeconds:0.0}s[/]");
    }

    private sealed class BuildLogPrinter(CliConsole console) : IProgress<string>
    {
        public void Report(string value) => console.Human.MarkupLine($"  [grey]│ {Markup.Escape(value)}[/]");
    }
}
