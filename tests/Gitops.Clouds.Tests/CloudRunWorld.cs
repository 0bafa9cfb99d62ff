using Gitops.Clouds.Tests.Fake;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The paas CLI, in-process, as a user runs it against Google Cloud Run, but on a FAKE Cloud Run
/// Admin API (<see cref="FakeCloudRun"/>): a data directory whose platform.yaml has one target,
/// <c>gcp</c> (kind cloudrun, the fake's project, region and endpoint), an app directory, and the
/// service-account key in a file of its own that GOOGLE_APPLICATION_CREDENTIALS names
/// (process-wide: one world at a time holds it).
/// </summary>
internal sealed class CloudRunWorld : IAsyncDisposable
{
    public const string Environment = "dev";

    /// <summary>The process's environment is one: worlds that set the key's path in it take turns.</summary>
    private static readonly SemaphoreSlim Credentials = new(1, 1);

    private readonly string _root;
    private readonly string _keyDirectory;

    private CloudRunWorld(FakeCloudRun fake, string targetOptions)
    {
        Fake = fake;
        _root = Directory.CreateTempSubdirectory("paas-cloudrun-world-").FullName;
        _keyDirectory = Directory.CreateTempSubdirectory("paas-cloudrun-key-").FullName;
        DataDirectory = Directory.CreateDirectory(Path.Combine(_root, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        AppDirectory = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        File.WriteAllText(Path.Combine(DataDirectory, PlatformConfig.FileName), $"""
            targets:
              gcp:
                kind: cloudrun
                project: {FakeCloudRun.Project}
                region: {FakeCloudRun.Region}
                endpoint: {fake.BaseAddress}
                poll: 50ms
                rolloutTimeoutSeconds: 30
            {targetOptions}
            """);
        var key = Path.Combine(_keyDirectory, "key.json");
        File.WriteAllText(key, fake.ServiceAccountJson);
        System.Environment.SetEnvironmentVariable(CloudRunProvider.CredentialsVariable, key);
    }

    public FakeCloudRun Fake { get; }

    public string DataDirectory { get; }

    public string AppDirectory { get; }

    /// <summary>Every file the platform wrote: its data directory (state, logs) and the app's (not the key's own file).</summary>
    public IEnumerable<string> Files => Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories);

    /// <param name="targetOptions">More of the target's options, as lines indented four spaces.</param>
    public static async Task<CloudRunWorld> StartAsync(CancellationToken cancellationToken, string targetOptions = "")
    {
        var fake = await FakeCloudRun.StartAsync(cancellationToken);
        await Credentials.WaitAsync(cancellationToken);
        return new CloudRunWorld(fake, targetOptions);
    }

    public void WriteManifest(string project, string services, string more = "") =>
        File.WriteAllText(Path.Combine(AppDirectory, "paas.yaml"), $"version: 1\nproject: {project}\nenvironments:\n  {Environment}: {{ branch: main, target: gcp }}\nservices:\n{services}{more}");

    public CliRun Paas(params string[] args) => PaasWithInput("", args);

    /// <param name="text">What the user types (a secret's value).</param>
    public CliRun PaasWithInput(string text, params string[] args) => InProcessPaas.Run(DataDirectory, text, args);

    public CliRun Plan() => Paas("plan", AppDirectory, "--env", Environment);

    public CliRun Apply() => Paas("apply", AppDirectory, "--env", Environment, "--yes");

    public CliRun SetSecret(string project, string name, string value) =>
        PaasWithInput(value + "\n", "secrets", "set", project, name, "--env", Environment);

    public async ValueTask DisposeAsync()
    {
        try
        {
            System.Environment.SetEnvironmentVariable(CloudRunProvider.CredentialsVariable, null);
        }
        finally
        {
            Credentials.Release();
        }

        await Fake.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_keyDirectory, recursive: true);
    }
}
