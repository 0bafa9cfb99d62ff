using Gitops.Cli;
using Gitops.Engine.Targets;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// The paas CLI, in-process, with a data directory whose platform.yaml has one target, <c>cluster</c>:
/// kind kubernetes, through the FAKE cluster's kubeconfig. The app's manifest deploys environment
/// <c>dev</c> there.
/// </summary>
internal sealed class ClusterWorld : IAsyncDisposable
{
    public const string Environment = "dev";

    private ClusterWorld(FakeCluster cluster, string targetOptions)
    {
        Cluster = cluster;
        Project = $"k{Guid.NewGuid():N}"[..12];
        DataDirectory = Directory.CreateDirectory(Path.Combine(cluster.Directory, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        AppDirectory = Directory.CreateDirectory(Path.Combine(cluster.Directory, "app")).FullName;
        File.WriteAllText(Path.Combine(DataDirectory, PlatformConfig.FileName),
            $"targets:\n  cluster: {{ kind: kubernetes, kubeconfig: {cluster.Kubeconfig}{targetOptions} }}\n");
    }

    public FakeCluster Cluster { get; }

    public string Project { get; }

    public string DataDirectory { get; }

    public string AppDirectory { get; }

    public string Namespace => Cluster.NamespaceOf(Project, Environment);

    /// <param name="targetOptions">More options of the kubernetes target, e.g. <c>, baseDomain: apps.example.com</c>.</param>
    public static async Task<ClusterWorld> StartAsync(string targetOptions = "") => new(await FakeCluster.StartAsync(), targetOptions);

    public void WriteManifest(string services) =>
        File.WriteAllText(Path.Combine(AppDirectory, "paas.yaml"), $"version: 1\nproject: {Project}\nenvironments:\n  {Environment}: {{ branch: main, target: cluster }}\nservices:\n{services}");

    public CliRun Paas(params string[] args) => PaasWithInput("", args);

    public CliRun PaasWithInput(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        var code = PaasCli.Run([.. args, "--data-dir", DataDirectory], CliConsole.Plain(output, error), reader);
        return JsonOutputCheck.Checked(args, new CliRun(code, output.ToString(), error.ToString()));
    }

    public CliRun Plan() => Paas("plan", AppDirectory, "--env", Environment);

    public CliRun Apply() => Paas("apply", AppDirectory, "--env", Environment, "--yes");

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
