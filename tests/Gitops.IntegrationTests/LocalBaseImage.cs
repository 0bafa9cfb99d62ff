using System.Collections.Concurrent;
using Docker.DotNet;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// No registry is reachable on these machines: the samples' <c>FROM busybox:1.36</c> is made by
/// the product's <see cref="LocalBusybox"/> once per engine (tests run in parallel).
/// </summary>
public static class LocalBaseImage
{
    private static readonly ConcurrentDictionary<EngineKind, SemaphoreSlim> Locks = new();

    public static string Name(EngineKind kind) => LocalBusybox.Name(kind);

    public static async Task EnsureAsync(DockerClient client, EngineKind kind, CancellationToken cancellationToken)
    {
        var gate = Locks.GetOrAdd(kind, _ => new SemaphoreSlim(1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await LocalBusybox.EnsureAsync(client, kind, new Progress<string>(), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public static Task<bool> ExistsAsync(DockerClient client, string image, CancellationToken cancellationToken) =>
        ImageBuilder.ExistsAsync(client, image, cancellationToken);
}
