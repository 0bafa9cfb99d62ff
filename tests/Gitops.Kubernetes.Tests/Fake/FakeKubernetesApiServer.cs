using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// A FAKE Kubernetes API server for tests (no real one runs on these machines): HTTPS (and plain
/// HTTP) on 127.0.0.1, bearer-token auth, legacy discovery, JSON resources with server-side apply, watches,
/// and a controller loop that rolls Deployments out to pods a settable <see cref="Kubelet"/> starts.
/// kubectl and the official C# client both work against it; what it leaves out is in docs of its
/// tests (FakeApiServerTests, KubectlAgainstTheFakeTests).
/// </summary>
public sealed class FakeKubernetesApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ObjectStore store;
    private readonly FakeController controller;
    private readonly CancellationTokenSource stopping = new();
    private readonly X509Certificate2 certificate;
    private Task? controllerLoop;
    private int requestCount;
    private int disposed;

    private FakeKubernetesApiServer(WebApplication app, ObjectStore store, X509Certificate2 certificate)
    {
        this.app = app;
        this.certificate = certificate;
        this.store = store;
        controller = new FakeController(store, pod => Kubelet(pod));
    }

    /// <summary>The root URL, <c>http://127.0.0.1:PORT/</c> (plain HTTP, bearer token required).</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The same API over TLS, <c>https://127.0.0.1:PORT/</c>, the address kubeconfigs name (see <see cref="WriteKubeconfig"/>).</summary>
    public Uri SecureAddress { get; private set; } = new("https://127.0.0.1/");

    /// <summary>The bearer token every request must carry; anything else gets 401.</summary>
    public string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Decides each new pod's fate once, when the fake kubelet first sees it. Default: the test image's contract.</summary>
    public Func<JsonObject, PodOutcome> Kubelet { get; set; } = FakeKubelet.TestImageContract;

    /// <summary>Whether gateway.networking.k8s.io/v1 (HTTPRoute) is served; off by default, as on a cluster without Gateway API CRDs.</summary>
    public bool ServesGatewayApi { get; set; }

    /// <summary>Requests received, authenticated or not.</summary>
    public int RequestCount => Volatile.Read(ref requestCount);

    /// <summary>The last exception the controller loop swallowed, for diagnosing a test that waits forever.</summary>
    public Exception? ControllerError => controller.LastError;

    internal CancellationToken Stopping => stopping.Token;

    public static async Task<FakeKubernetesApiServer> StartAsync(CancellationToken ct = default)
    {
        var certificate = FakeCertificate.Create();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Listen(IPAddress.Loopback, 0, tls =>
            {
                tls.Protocols = HttpProtocols.Http1;
                tls.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        var store = new ObjectStore();
        var server = new FakeKubernetesApiServer(app, store, certificate);
        var handler = new ApiHandler(store, server);
        app.Run(context =>
        {
            Interlocked.Increment(ref server.requestCount);
            return handler.HandleAsync(context);
        });

        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            store.Create(ResourceTypes.Namespace, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, new WriteContext("kube-apiserver"));
        }

        await app.StartAsync(ct);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        server.BaseAddress = new Uri(addresses.First(a => a.Scheme == "http").GetLeftPart(UriPartial.Authority) + "/");
        server.SecureAddress = new Uri(addresses.First(a => a.Scheme == "https").GetLeftPart(UriPartial.Authority) + "/");
        server.controllerLoop = Task.Run(() => server.controller.RunAsync(server.stopping.Token), CancellationToken.None);
        return server;
    }

    /// <summary>
    /// Writes a kubeconfig whose current context reaches this server with its token; returns its path.
    /// It names <see cref="SecureAddress"/> with the fake's CA, not the plain-HTTP address: kubectl
    /// (client-go) sends a kubeconfig's credentials only over TLS, and would get 401 over plain HTTP.
    /// </summary>
    public string WriteKubeconfig(string directory, string context = "fake")
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"kubeconfig-{context}.yaml");
        var server = SecureAddress.GetLeftPart(UriPartial.Authority);
        File.WriteAllText(path, string.Join('\n',
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            $"- name: {context}",
            "  cluster:",
            $"    server: {server}",
            $"    certificate-authority-data: {FakeCertificate.PemBase64(certificate)}",
            "users:",
            $"- name: {context}",
            "  user:",
            $"    token: {Token}",
            "contexts:",
            $"- name: {context}",
            "  context:",
            $"    cluster: {context}",
            $"    user: {context}",
            "    namespace: default",
            $"current-context: {context}",
            ""));
        return path;
    }

    /// <summary>Adds a cluster-scoped node.k8s.io/v1 RuntimeClass (handler named after it).</summary>
    public void AddRuntimeClass(string name) =>
        store.Create(ResourceTypes.RuntimeClass, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["handler"] = name }, new WriteContext("fake-admin"));

    /// <summary>The stored object at an API path such as <c>/apis/apps/v1/namespaces/ns/deployments/web</c>, or null.</summary>
    public Task<JsonObject?> GetAsync(string apiPath)
    {
        var target = ApiPath.Parse(apiPath, gateway: true);
        if (target?.Name is null)
        {
            throw new ArgumentException($"not the path of one object: {apiPath}", nameof(apiPath));
        }

        try
        {
            return Task.FromResult<JsonObject?>(store.Get(target.Type, target.Namespace, target.Name));
        }
        catch (FakeApiException e) when (e.Code == 404)
        {
            return Task.FromResult<JsonObject?>(null);
        }
    }

    /// <summary>The stored objects of a kind ("Deployment", or its plural), in one namespace or all of them.</summary>
    public IReadOnlyList<JsonObject> List(string kind, string? ns)
    {
        var type = ResourceTypes.All.FirstOrDefault(t => string.Equals(t.Kind, kind, StringComparison.OrdinalIgnoreCase) || t.Plural == kind)
            ?? throw new ArgumentException($"the fake does not serve {kind}", nameof(kind));
        return store.List(type, ns, LabelSelector.Everything, FieldSelector.Everything).Items;
    }

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion => long.Parse(store.ResourceVersion, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return; // a test that stops the server early disposes it again at its end
        }

        await stopping.CancelAsync();
        store.CompleteAllWatches();
        if (controllerLoop is not null)
        {
            await controllerLoop;
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(timeout.Token);
        }

        await app.DisposeAsync();
        stopping.Dispose();
        certificate.Dispose();
    }
}
