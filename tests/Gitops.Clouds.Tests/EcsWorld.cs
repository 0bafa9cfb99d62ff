using Gitops.Engine.Targets;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The paas CLI, in-process, as a user runs it against AWS, but on moto: a data directory whose
/// platform.yaml has one target, <c>aws</c> (kind ecs, a cluster of its own, moto's VPC, subnets,
/// security group and ALB listener), an app directory, and the FAKE scheduler that starts the tasks
/// moto never starts. The CLI signs with the standard AWS chain, so the world sets the environment's
/// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (process-wide: one world at a time holds them).
/// </summary>
internal sealed class EcsWorld : IAsyncDisposable
{
    public const string Environment = "dev";
    public const string AccessKeyId = "AKIAPAASTESTKEY00001";

    /// <summary>The process's environment is one: worlds that set credentials in it take turns.</summary>
    private static readonly SemaphoreSlim Credentials = new(1, 1);

    private readonly string _root;
    private readonly FakeEcsScheduler _scheduler;
    private readonly LoopbackRegistry? _registry;

    private EcsWorld(Moto moto, string accessKeyId, string secretAccessKey, LoopbackRegistry? registry, bool listener, bool schedulerRole)
    {
        Moto = moto;
        _registry = registry;
        _root = Directory.CreateTempSubdirectory("paas-ecs-world-").FullName;
        Cluster = $"w{Guid.NewGuid():N}"[..12];
        DataDirectory = Directory.CreateDirectory(Path.Combine(_root, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        AppDirectory = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        var subnets = string.Join(", ", moto.Subnets);
        File.WriteAllText(Path.Combine(DataDirectory, PlatformConfig.FileName), $"""
            {(registry is null ? "" : $"registry: http://{registry.Host}/paas\n")}targets:
              aws:
                kind: ecs
                region: {Moto.Region}
                cluster: {Cluster}
                subnets: [{subnets}]
                securityGroups: [{moto.SecurityGroup}]
                executionRole: {Moto.ExecutionRole}
                {(schedulerRole ? $"schedulerRole: {Moto.SchedulerRole}\n    " : "")}{(listener ? $"loadBalancerListener: {moto.Listener}\n    " : "")}baseDomain: apps.example.com
                endpoint: {moto.Endpoint}
                settle: running-tasks-test-only
                rolloutTimeoutSeconds: 120

            """);
        System.Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", accessKeyId);
        System.Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", secretAccessKey);
        System.Environment.SetEnvironmentVariable("AWS_REGION", Moto.Region);
        _scheduler = new FakeEcsScheduler(moto, Cluster, TestContext.Current.TestOutputHelper);
    }

    public Moto Moto { get; }

    public string Cluster { get; }

    public string DataDirectory { get; }

    public string AppDirectory { get; }

    /// <summary>Every file the platform wrote: its data directory (state, logs) and the app's.</summary>
    public IEnumerable<string> Files => Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories);

    public string RegistryHost => _registry?.Host ?? throw new InvalidOperationException("this world has no registry");

    /// <param name="registry">A loopback registry for built images (the hello sample builds), or none.</param>
    /// <param name="listener">Whether the target has moto's ALB listener (public services need one).</param>
    /// <param name="schedulerRole">Whether the target names the role EventBridge Scheduler runs crons with.</param>
    public static async Task<EcsWorld> StartAsync(Moto moto, string secretAccessKey, bool registry, CancellationToken cancellationToken, string accessKeyId = AccessKeyId, bool listener = true, bool schedulerRole = true)
    {
        moto.Require();
        var started = registry ? await LoopbackRegistry.StartAsync(cancellationToken) : null;
        await Credentials.WaitAsync(cancellationToken);
        return new EcsWorld(moto, accessKeyId, secretAccessKey, started, listener, schedulerRole);
    }

    /// <summary>Copies a sample's directory as the app, with its environments deployed to the <c>aws</c> target.</summary>
    public void CopySample(string sample)
    {
        var from = Path.Combine(RepositoryRoot.Path, "samples", sample);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(AppDirectory, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        var manifest = File.ReadAllText(Path.Combine(AppDirectory, "paas.yaml"));
        Assert.Contains("target: local", manifest, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(AppDirectory, "paas.yaml"), manifest.Replace("target: local", "target: aws", StringComparison.Ordinal));
    }

    public void EditManifest(string from, string to)
    {
        var path = Path.Combine(AppDirectory, "paas.yaml");
        var manifest = File.ReadAllText(path);
        Assert.Contains(from, manifest, StringComparison.Ordinal);
        File.WriteAllText(path, manifest.Replace(from, to, StringComparison.Ordinal));
    }

    public void WriteManifest(string project, string services) =>
        File.WriteAllText(Path.Combine(AppDirectory, "paas.yaml"), $"version: 1\nproject: {project}\nenvironments:\n  {Environment}: {{ branch: main, target: aws }}\nservices:\n{services}");

    public CliRun Paas(params string[] args) => PaasWithInput("", args);

    /// <param name="text">What the user types (a secret's value).</param>
    public CliRun PaasWithInput(string text, params string[] args) => InProcessPaas.Run(DataDirectory, text, args);

    public CliRun Plan() => Paas("plan", AppDirectory, "--env", Environment);

    public CliRun Apply() => Paas("apply", AppDirectory, "--env", Environment, "--yes");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _scheduler.DisposeAsync();
            System.Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            System.Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
            System.Environment.SetEnvironmentVariable("AWS_REGION", null);
        }
        finally
        {
            Credentials.Release();
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
        _scheduler.ThrowIfFailed();
    }
}
