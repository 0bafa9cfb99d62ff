using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// Whether the engine really runs containers under gVisor: a throwaway busybox container is
/// started under the runtime and must print gVisor's boot banner. The engine's runtime list alone
/// proves nothing: Podman lists runsc where it is not installed, and a name can be registered for
/// a runtime that is not gVisor or fails on this kernel (../shared/notes/container-engines.md).
/// A success is kept for the life of the driver; a failure is asked again next time, so
/// installing runsc needs no restart.
/// </summary>
internal sealed class GvisorProbe(DockerClient client, EngineEndpoint endpoint)
{
    /// <summary>What gVisor's kernel prints first (<c>dmesg</c> inside a sandbox).</summary>
    public const string Banner = "Starting gVisor";

    private volatile bool _works; // two first asks at once just probe twice

    /// <returns>Null when services can run under gVisor here, else why not.</returns>
    public async Task<string?> WhyNotAsync(CancellationToken cancellationToken)
    {
        if (_works)
        {
            return null;
        }

        var why = await TryAsync(cancellationToken).ConfigureAwait(false);
        _works = why is null;
        return why;
    }

    private async Task<string?> TryAsync(CancellationToken cancellationToken)
    {
        var runtime = endpoint.GvisorRuntime;
        var info = await TransientRetry.RunAsync(t => client.System.GetSystemInfoAsync(t), cancellationToken).ConfigureAwait(false);
        if (info.Runtimes is null || !info.Runtimes.ContainsKey(runtime))
        {
            return $"the engine has no '{runtime}' runtime (scripts/setup-engines.sh installs runsc and registers it)";
        }

        await LocalBusybox.EnsureAsync(client, endpoint.Kind, new Progress<string>(), cancellationToken).ConfigureAwait(false);
        var name = $"paas-gvisor-probe-{Guid.NewGuid():N}"[..30];
        try
        {
            await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = name,
                Image = LocalBusybox.Name(endpoint.Kind),
                Cmd = ["dmesg"],
                HostConfig = new HostConfig { Runtime = runtime, NetworkMode = "none", CapDrop = ["ALL"], SecurityOpt = ["no-new-privileges"] },
            }, cancellationToken).ConfigureAwait(false);
            await client.Containers.StartContainerAsync(name, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            var exit = await client.Containers.WaitContainerAsync(name, cancellationToken).ConfigureAwait(false);
            var output = await LogsAsync(name, cancellationToken).ConfigureAwait(false);
            if (exit.StatusCode == 0 && output.Contains(Banner, StringComparison.Ordinal))
            {
                return null;
            }

            // Podman 4 creates the container under its default runtime whatever a client asks through
            // its API (podman issue #28429, fixed upstream in 2026): the probe then meets the host's kernel.
            var podman = endpoint.Kind == EngineKind.Podman ? "; this Podman ignores the runtime asked through its API (podman issue #28429) and ran it under its default runtime" : "";
            return $"a container asked to run under '{runtime}' did not boot gVisor (exit {exit.StatusCode}: {Shorten(output)}){podman}";
        }
        catch (DockerApiException e)
        {
            return $"a container under the '{runtime}' runtime did not start: {Shorten(e.ResponseBody ?? e.Message)}";
        }
        finally
        {
            try
            {
                await client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException)
            {
                // never created
            }
        }
    }

    private async Task<string> LogsAsync(string container, CancellationToken cancellationToken)
    {
        using var stream = await client.Containers.GetContainerLogsAsync(container, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken).ConfigureAwait(false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
        return stdout + stderr;
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }
}

/// <summary>The sandbox refusal a plan shows, naming the service's field.</summary>
internal static class SandboxRefusal
{
    public static string For(string service, string kind, string why) =>
        $"services.{service}.sandbox: {service} asks for the gvisor sandbox, which this {kind} engine cannot give: {why}; refusing rather than running it unsandboxed";

    public static TargetRefusedException Exception(string service, string kind, string why) => new(For(service, kind, why));
}
