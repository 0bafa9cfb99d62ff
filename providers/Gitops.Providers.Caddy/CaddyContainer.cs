using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Caddy;

/// <summary>
/// Runs Caddy as a container on a Docker or Podman target. It uses the host's network, as a Caddy
/// process would: it binds the HTTP and HTTPS ports itself, reaches every environment's replicas on
/// their bridge addresses, and its admin API stays on the host's loopback, out of the apps' reach
/// (joining the apps' networks instead would hand each of them the admin API). It is created
/// through the same policy choke point as every container, with the ingress's allow-list
/// (<see cref="IngressAllowance"/>: the host network and its data directory, nothing else).
/// </summary>
/// <param name="suffix">Told apart from the ingress's other Caddy (the edge's is <c>-edge</c>).</param>
internal sealed class CaddyContainer(EngineEndpoint target, string? image, int adminPort, string suffix = "") : ICaddyHost
{
    /// <summary>One Caddy per admin port on a host network, so the port names the container.</summary>
    public string Name { get; } = $"paas-ingress-{adminPort}{suffix}";

    public async Task StartAsync(string directory, string state, string configFile, bool resume, CancellationToken cancellationToken)
    {
        using var client = EngineClient.Create(target);
        var existing = await InspectAsync(client, cancellationToken).ConfigureAwait(false);
        if (existing?.State?.Running == true)
        {
            return; // Caddy inside is starting (or its admin API hangs, which the caller's patience reports).
        }

        if (existing is not null)
        {
            // Stopped or crashed: recreate it, so a changed image or data directory takes effect.
            await TransientRetry.RunAsync(t => client.Containers.RemoveContainerAsync(Name, new ContainerRemoveParameters { Force = true }, t), cancellationToken).ConfigureAwait(false);
        }

        var log = new Progress<string>(_ => { });
        var tag = image ?? await CaddyImage.EnsureAsync(client, log, cancellationToken).ConfigureAwait(false);
        await EnsurePulledAsync(client, tag, cancellationToken).ConfigureAwait(false);
        var home = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)); // the allowance names it exactly
        var created = await GuardedContainers.CreateIngressAsync(client, CaddyContainerRequest.For(Name, tag, home, configFile, state, resume), new IngressAllowance(home), cancellationToken).ConfigureAwait(false);
        await client.Containers.StartContainerAsync(created, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string state, CancellationToken cancellationToken)
    {
        using var client = EngineClient.Create(target);
        try
        {
            // Podman refuses (500) to remove a container that is stopping right then, as one told to /stop is.
            await TransientRetry.RunAsync(t => client.Containers.RemoveContainerAsync(Name, new ContainerRemoveParameters { Force = true }, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Never started, or already removed.
        }
    }

    public string Diagnostics(string state) => $"the logs of container {Name} on {target}";

    private async Task<ContainerInspectResponse?> InspectAsync(DockerClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Containers.InspectContainerAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    private static async Task EnsurePulledAsync(DockerClient client, string tag, CancellationToken cancellationToken)
    {
        if (await ImageBuilder.ExistsAsync(client, tag, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = tag }, null, new Progress<JSONMessage>(), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new InvalidOperationException($"the ingress image {tag} is not on the engine and pulling it failed: {e.Message.Trim()}", e);
        }

        if (!await ImageBuilder.ExistsAsync(client, tag, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"the ingress image {tag} is not on the engine and could not be pulled");
        }
    }
}

/// <summary>The ingress container's create request: what <see cref="IngressAllowance"/> allows, and the policy's limits.</summary>
public static class CaddyContainerRequest
{
    public const long MemoryBytes = 512L * 1024 * 1024;
    public const long PidsLimit = 512;

    private static readonly string[] Resume = ["--resume"];

    /// <param name="state">Where this Caddy keeps its autosave and data (XDG directories), inside <paramref name="directory"/>; default: the directory itself.</param>
    public static CreateContainerParameters For(string name, string image, string directory, string configFile, string? state = null, bool resume = true) => new()
    {
        Name = name,
        Image = image,
        Cmd = ["/usr/bin/caddy", "run", "--config", configFile, .. (resume ? Resume : [])],
        Env = [$"XDG_CONFIG_HOME={Path.Combine(state ?? directory, "config")}", $"XDG_DATA_HOME={Path.Combine(state ?? directory, "data")}", $"HOME={state ?? directory}"],
        Labels = new Dictionary<string, string> { ["paas.ingress"] = directory },
        HostConfig = new HostConfig
        {
            NetworkMode = "host",
            Binds = [$"{directory}:{directory}"],
            ReadonlyRootfs = true,
            CapDrop = ["ALL"],
            CapAdd = ["NET_BIND_SERVICE"],
            SecurityOpt = ["no-new-privileges"],
            PidsLimit = PidsLimit,
            Memory = MemoryBytes,
            MemorySwap = MemoryBytes,
            // A crash restarts it; the admin API's /stop (exit 0) does not.
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.OnFailure, MaximumRetryCount = 5 },
            LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "2" } },
        },
    };
}
