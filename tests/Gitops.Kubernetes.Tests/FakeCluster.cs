using System.Text.Json.Nodes;
using Gitops.Kubernetes.Tests.Fake;
using Gitops.Providers.Kubernetes;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// A FAKE cluster for the driver's tests: <see cref="FakeKubernetesApiServer"/> (the API server
/// and its controllers as the Kubernetes API reference describes them; no real one runs on these
/// machines), a kubeconfig that points at it, the platform's driver connected through that
/// kubeconfig, and kubectl (with a kubeconfig and cache of its own) as a cluster user who does what
/// the platform does not know about.
/// </summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    private readonly string _directory;

    private FakeCluster(FakeKubernetesApiServer server, string directory, KubernetesOptions options)
    {
        (Server, _directory) = (server, directory);
        Kubeconfig = server.WriteKubeconfig(directory);
        Options = options with { Kubeconfig = Kubeconfig };
        Driver = new KubernetesDriver(new KubeCluster(new k8s.Kubernetes(KubernetesProvider.Configuration(Options))), Options);
        User = new Kubectl(server);
    }

    public FakeKubernetesApiServer Server { get; }

    public string Kubeconfig { get; }

    public KubernetesOptions Options { get; }

    public KubernetesDriver Driver { get; }

    public Kubectl User { get; }

    public string Directory => _directory;

    public static async Task<FakeCluster> StartAsync(KubernetesOptions? options = null)
    {
        var server = await FakeKubernetesApiServer.StartAsync(TestContext.Current.CancellationToken);
        return new FakeCluster(server, System.IO.Directory.CreateTempSubdirectory("paas-kube-").FullName, options ?? new KubernetesOptions());
    }

    /// <summary>The namespace the driver gives a project environment.</summary>
    public string NamespaceOf(string project, string environment) => KubeScope.For(project, environment, Options).Namespace;

    /// <summary>An object as the fake stores it, read past the driver.</summary>
    public Task<JsonObject?> GetAsync(KubeResource resource, string? ns, string name) => Server.GetAsync(resource.Path(ns, name));

    public async ValueTask DisposeAsync()
    {
        Driver.Dispose();
        User.Dispose();
        await Server.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
