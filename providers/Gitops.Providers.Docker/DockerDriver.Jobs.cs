using System.Net;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// One-off jobs (crons' runs) as plain containers of the service's image, created through the same
/// guard as replicas (<see cref="GuardedContainers"/>) and on the same networks as the service's
/// replicas: its home (the environment's network, or its own door with <c>allowFrom</c>) and the
/// doors of the services that let it in. They carry <see cref="Labels.JobOf"/>, never
/// <see cref="Labels.Service"/>: the observer does not count them as replicas.
/// </summary>
public sealed partial class DockerDriver
{
    /// <summary>Lines of output read back at most: the run record keeps the end of it.</summary>
    private const string LogTailLines = "20000";

    public Task StartJobAsync(JobRequest request, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var service = request.Service;
            if (service.Spec.Sandbox == SandboxKind.Gvisor && await _gvisor.WhyNotAsync(cancellationToken).ConfigureAwait(false) is { } why)
            {
                throw SandboxRefusal.Exception(service.Name, Kind, why);
            }

            var home = service.Extras.AllowFrom.Count > 0 ? Names.Door(request.Project, request.Environment, service.Name) : request.Network;
            try
            {
                await GuardedContainers.CreateAsync(Client, ContainerRequest.ForJob(request, home, endpoint.GvisorRuntime), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // Created before (a rerun after a crash): started below if it is not yet.
            }

            foreach (var door in service.Extras.AllowedInto.Select(other => Names.Door(request.Project, request.Environment, other)))
            {
                await ConnectAsync(door, request.Name, alias: null, cancellationToken).ConfigureAwait(false);
            }

            var addressing = await IsolatedAsync(home, cancellationToken).ConfigureAwait(false);
            await TransientRetry.RunAsync(t => Client.Containers.StartContainerAsync(request.Name, new ContainerStartParameters(), t), cancellationToken).ConfigureAwait(false);
            foreach (var (_, gateway) in Engine == EngineKind.Podman ? addressing : [])
            {
                await PodmanBridge.PinAddressAsync(gateway, cancellationToken).ConfigureAwait(false);
            }
        });

    public Task<JobState> InspectJobAsync(string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            var inspected = await InspectAsync(name, cancellationToken).ConfigureAwait(false);
            if (inspected?.State is not { } state)
            {
                return JobState.Gone;
            }

            var running = state.Running || state.Restarting;
            return new JobState(true, running, running ? null : (int)state.ExitCode, state.OOMKilled ? "killed for memory (OOM)" : null);
        });

    public Task<string> JobLogAsync(string name, int tailChars, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            MultiplexedStream stream;
            try
            {
                stream = await Client.Containers.GetContainerLogsAsync(name, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = LogTailLines }, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException)
            {
                return "";
            }

            using (stream)
            {
                // Frame by frame, so stdout and stderr stay in the order they were written.
                using var bytes = new MemoryStream();
                var buffer = new byte[16 * 1024];
                while (true)
                {
                    var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                    if (read.EOF)
                    {
                        break;
                    }

                    bytes.Write(buffer, 0, read.Count);
                }

                var text = Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
                return text.Length > tailChars ? text[^tailChars..] : text;
            }
        });

    public Task KillJobAsync(string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            try
            {
                await Client.Containers.KillContainerAsync(name, new ContainerKillParameters { Signal = "KILL" }, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException)
            {
                // Gone: nothing left to stop.
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict || e.Message.Contains("not running", StringComparison.OrdinalIgnoreCase))
            {
                // Ended by itself meanwhile.
            }
        });

    public Task RemoveJobAsync(string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            try
            {
                await TransientRetry.RunAsync(t => Client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true }, t), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException)
            {
            }
        });

    public Task<IExecSession> ExecJobAsync(string name, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        EngineExec.StartAsync(Client, endpoint, name, name, new ExecRequest("", "", name, null, command, Tty: false), cancellationToken);

    /// <summary>
    /// Jobs of the network's environment still on it go with it (a destroy): the network cannot be
    /// removed while they hold it, and their runs are then recorded as lost.
    /// </summary>
    private async Task RemoveJobsOnAsync(NetworkResponse network, CancellationToken cancellationToken)
    {
        if (network.Labels is not { } labels || !labels.TryGetValue(Labels.Project, out var project) || !labels.TryGetValue(Labels.Environment, out var environment))
        {
            return;
        }

        foreach (var id in network.Containers?.Keys ?? [])
        {
            if (await InspectAsync(id, cancellationToken).ConfigureAwait(false) is { Config.Labels: { } of } && of.ContainsKey(Labels.Job) && Ownership.Owns(of, project, environment))
            {
                await RemoveJobAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The environment's jobs still on the engine (running or not): removed with the environment, whose network they hold.</summary>
    private static IEnumerable<ContainerListResponse> Jobs(IEnumerable<ContainerListResponse> owned) =>
        owned.Where(c => c.Labels.ContainsKey(Labels.Job));
}
