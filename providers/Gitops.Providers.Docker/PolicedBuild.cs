using System.Net.Http.Headers;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// The one place a service's image is built (a project's Dockerfile is a tenant's code): the
/// build's RUN steps get <see cref="BuildPolicy"/>'s limits, a cgroup with the pids limit, and a
/// network of the build's own (isolated like every platform network) or none. The request goes
/// to the build endpoint directly: Docker.DotNet's parameters lack what Podman needs
/// (<c>nsoptions</c>, capabilities), and without it Podman builds in the host's network.
/// </summary>
internal static class PolicedBuild
{
    public static async Task RunAsync(DockerClient client, EngineEndpoint target, Stream context, string tag, BuildSpec build, IDictionary<string, string> labels, IProgress<string> log, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var info = await client.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
        using var cgroup = BuildCgroup.Create($"paas-build-{id}", info.CgroupDriver, BuildPolicy.PidsLimit, log);
        string? network = build.Network == BuildNetwork.Isolated ? $"paas-build-{id}" : null;
        var networkId = network is null ? null : await CreateNetworkAsync(client, target.Kind, network, tag, log, cancellationToken).ConfigureAwait(false);
        try
        {
            var query = new List<KeyValuePair<string, string>>
            {
                new("t", tag),
                new("dockerfile", build.Dockerfile),
                new("rm", "1"),
                new("forcerm", "1"),
                new("buildargs", JsonSerializer.Serialize(build.Args.ToDictionary(a => a.Key, a => a.Value))),
                new("labels", JsonSerializer.Serialize(labels)), // ownership: only this project's service may reuse the image
            };
            if (build.Target is { Length: > 0 } stage)
            {
                query.Add(new("target", stage));
            }

            query.AddRange(BuildPolicy.Query(target.Kind, build.Network, network, cgroup.Parent));
            await PostAsync(target.SocketPath, query, context, tag, log, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (networkId is not null)
            {
                await RemoveNetworkAsync(client, network!, networkId, log).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Not cancelled with the build, and not failing it: the image is built, and a network left
    /// behind keeps its walls (its rules go only after it), so the log says what to remove by hand.
    /// </summary>
    private static async Task RemoveNetworkAsync(DockerClient client, string network, string networkId, IProgress<string> log)
    {
        try
        {
            await TransientRetry.RunAsync(t => client.Networks.DeleteNetworkAsync(network, t), CancellationToken.None).ConfigureAwait(false);
            await NetworkIsolation.RemoveAsync(networkId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DockerApiException or InvalidOperationException or HttpRequestException or IOException)
        {
            log.Report($"warning: the build's network {network} was not removed: {e.Message}");
        }
    }

    private static async Task<string> CreateNetworkAsync(DockerClient client, EngineKind kind, string name, string tag, IProgress<string> log, CancellationToken cancellationToken)
    {
        await TransientRetry.RunAsync(t => client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = name,
            Driver = "bridge",
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true", ["paas.build"] = tag },
            Options = kind == EngineKind.Podman ? new Dictionary<string, string> { ["isolate"] = "true" } : [],
        }, t), cancellationToken).ConfigureAwait(false);
        var inspected = await client.Networks.InspectNetworkAsync(name, cancellationToken).ConfigureAwait(false);
        try
        {
            await NetworkIsolation.WallAsync(inspected.ID, name, NetworkIsolation.Ipv4Subnets(inspected.IPAM), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing builds in a network without its walls, and nothing of it is left behind.
            await RemoveNetworkAsync(client, name, inspected.ID, log).ConfigureAwait(false);
            throw;
        }

        return inspected.ID;
    }

    private static async Task PostAsync(string socket, List<KeyValuePair<string, string>> query, Stream context, string tag, IProgress<string> log, CancellationToken cancellationToken)
    {
        using var http = EngineHttp.Create(socket);
        using var content = new StreamContent(context);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v{EngineClient.ApiVersion}/build?{EngineHttp.Query(query)}") { Content = content };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var error = await EngineHttp.ReadStreamAsync(response, message =>
        {
            if (message.TryGetProperty("stream", out var line) && line.GetString() is { } text && !string.IsNullOrWhiteSpace(text))
            {
                log.Report(text.TrimEnd('\n'));
            }
        }, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException($"building {tag} failed: {error}");
        }
    }
}
