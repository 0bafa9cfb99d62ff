using Gitops.Cli;
using Gitops.Clouds.Tests.Fake;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The paas CLI, in-process, as a user runs it against Azure Container Apps, but on a FAKE Azure
/// Resource Manager and Entra (<see cref="FakeContainerApps"/>): a data directory whose platform.yaml
/// has one target, <c>azure</c> (kind containerapps, the fake's subscription, resource group,
/// environment, endpoint and authority), the fake's service principal stored with
/// <c>paas target credentials azure</c> as a user stores it, and an app directory. The provider's
/// handler seam (trusting the fake's certificate) is process-wide: one world at a time holds it.
/// </summary>
internal sealed class ContainerAppsWorld : IAsyncDisposable
{
    public const string Environment = "dev";

    private static readonly SemaphoreSlim Seam = new(1, 1);

    private readonly string _root;

    private ContainerAppsWorld(FakeContainerApps fake)
    {
        Fake = fake;
        _root = Directory.CreateTempSubdirectory("paas-containerapps-world-").FullName;
        DataDirectory = Directory.CreateDirectory(Path.Combine(_root, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        AppDirectory = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        File.WriteAllText(Path.Combine(DataDirectory, PlatformConfig.FileName), $"""
            targets:
              azure:
                kind: containerapps
                subscription: {FakeContainerApps.Subscription}
                resourceGroup: {FakeContainerApps.ResourceGroup}
                environment: {FakeContainerApps.Environment}
                location: {FakeContainerApps.Location}
                endpoint: {fake.BaseAddress}
                authority: {fake.BaseAddress}
                poll: 50ms
                rolloutTimeoutSeconds: 30

            """);
        ContainerAppsProvider.Handler = fake.TrustingHandler;
    }

    public FakeContainerApps Fake { get; }

    public string DataDirectory { get; }

    public string AppDirectory { get; }

    /// <summary>Every file the platform wrote: its data directory (state, logs) and the app's.</summary>
    public IEnumerable<string> Files => Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories);

    /// <param name="store">Whether the fake's service principal is stored for the target (as a user does first).</param>
    public static async Task<ContainerAppsWorld> StartAsync(CancellationToken cancellationToken, bool store = true)
    {
        var fake = await FakeContainerApps.StartAsync(cancellationToken);
        await Seam.WaitAsync(cancellationToken);
        var world = new ContainerAppsWorld(fake);
        if (store)
        {
            world.PaasWithInput(fake.ServicePrincipalJson, "target", "credentials", "azure").Succeeded();
        }

        return world;
    }

    public void WriteManifest(string project, string services, string more = "") =>
        File.WriteAllText(Path.Combine(AppDirectory, "paas.yaml"), $"version: 1\nproject: {project}\nenvironments:\n  {Environment}: {{ branch: main, target: azure }}\nservices:\n{services}{more}");

    public CliRun Paas(params string[] args) => PaasWithInput("", args);

    /// <param name="text">What the user types or pipes in (a secret's value, the service principal's JSON).</param>
    public CliRun PaasWithInput(string text, params string[] args) => InProcessPaas.Run(DataDirectory, text, args);

    public CliRun Plan() => Paas("plan", AppDirectory, "--env", Environment);

    public CliRun Apply() => Paas("apply", AppDirectory, "--env", Environment, "--yes");

    public CliRun SetSecret(string project, string name, string value) =>
        PaasWithInput(value + "\n", "secrets", "set", project, name, "--env", Environment);

    public async ValueTask DisposeAsync()
    {
        try
        {
            ContainerAppsProvider.Handler = null;
        }
        finally
        {
            Seam.Release();
        }

        await Fake.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
