using Gitops.Engine.Targets;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gitops.Providers.Docker;

/// <summary>Opens Docker Engine API clients for Docker and Podman.</summary>
public static class EngineClient
{
    /// <summary>
    /// The API version requested from both engines: Docker 20.10 (Debian 12) answers at most 1.41,
    /// and Podman 4's compatibility API reports 1.41 too.
    /// </summary>
    public static readonly System.Version ApiVersion = new(1, 41);

    public static DockerClient Create(EngineEndpoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new DockerClientBuilder()
            .WithEndpoint(new Uri($"unix://{target.SocketPath}"))
            .WithApiVersion(ApiVersion)
            .Build();
    }

    /// <summary>The engine's version, or null with the reason when it does not answer.</summary>
    public static async Task<(VersionResponse? Version, string? Problem)> ProbeAsync(EngineEndpoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!File.Exists(target.SocketPath))
        {
            return (null, $"no socket at {target.SocketPath}");
        }

        using var client = Create(target);
        return await ProbeAsync(client, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The engine's version through an open client, or null with the reason.</summary>
    public static async Task<(VersionResponse? Version, string? Problem)> ProbeAsync(DockerClient client, EngineEndpoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(target);
        if (!File.Exists(target.SocketPath))
        {
            return (null, $"no socket at {target.SocketPath}");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            return (await client.System.GetVersionAsync(timeout.Token).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException)
        {
            return (null, $"{target} does not answer: {e.Message}");
        }
    }
}
