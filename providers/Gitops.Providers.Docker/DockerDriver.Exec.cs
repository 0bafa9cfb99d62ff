using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// <c>paas exec</c> on the container family: the engine's exec API (<c>POST /containers/{id}/exec</c>,
/// then a hijacked connection both ways), in a running replica of the service. The command goes to
/// the engine as its argument list.
/// </summary>
public sealed partial class DockerDriver : IServiceExec
{
    public Task<IExecSession> ExecAsync(ExecRequest request, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var replica = (await OwnedContainersAsync(request.Project, request.Environment, cancellationToken).ConfigureAwait(false))
                .Where(c => c.State == "running" && c.Labels.TryGetValue(Labels.Service, out var service) && service == request.Service)
                .Select(c => (Container: c, Number: int.TryParse(Label(c.Labels, Labels.Replica), CultureInfo.InvariantCulture, out var n) ? n : 0))
                .Where(r => request.Replica is not { } wanted || r.Number == wanted)
                .OrderBy(r => r.Number).ThenByDescending(r => r.Container.Created) // mid-rollout: the newer of a pair
                .FirstOrDefault();
            if (replica.Container is null)
            {
                throw new TargetRefusedException(request.Replica is { } n
                    ? $"service {request.Service} has no running replica {n} in {request.Project}/{request.Environment} (paas status shows its replicas)"
                    : $"service {request.Service} has no running replica in {request.Project}/{request.Environment}");
            }

            var created = await Client.Exec.CreateContainerExecAsync(replica.Container.ID, new ContainerExecCreateParameters
            {
                Cmd = [.. request.Command],
                AttachStdin = true,
                AttachStdout = true,
                AttachStderr = true,
                TTY = request.Tty,
                ConsoleSize = request.Tty ? Size(request.Width, request.Height) : null!,
            }, cancellationToken).ConfigureAwait(false);
            var stream = await Client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters { TTY = request.Tty, ConsoleSize = request.Tty ? Size(request.Width, request.Height) : null! }, cancellationToken).ConfigureAwait(false);
            var session = new EngineExecSession(Client, endpoint, created.ID, $"{request.Service}-{replica.Number.ToString(CultureInfo.InvariantCulture)}", stream);
            if (request.Tty)
            {
                try
                {
                    // The engines apply a size given at create only from API 1.42: set again once started.
                    await session.ResizeAsync(request.Width, request.Height, cancellationToken).ConfigureAwait(false);
                }
                catch (TargetException)
                {
                    // Ended already (a short command): it had no use for a size.
                }
            }

            return (IExecSession)session;
        });

    private static ConsoleSize Size(int width, int height) => new() { Width = (ulong)width, Height = (ulong)height };

    /// <summary>One exec on the engine: its hijacked stream, and its id to resize it and read its exit code.</summary>
    private sealed class EngineExecSession(DockerClient client, EngineEndpoint endpoint, string id, string replica, MultiplexedStream stream) : IExecSession
    {
        public string Replica => replica;

        public async Task<(ExecStream Stream, int Count)?> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var array = new byte[buffer.Length];
            var read = await stream.ReadOutputAsync(array, 0, array.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                return null;
            }

            array.AsMemory(0, read.Count).CopyTo(buffer);
            return (read.Target == MultiplexedStream.TargetStream.StandardError ? ExecStream.Stderr : ExecStream.Stdout, read.Count);
        }

        public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) =>
            stream.WriteAsync(input.ToArray(), 0, input.Length, cancellationToken);

        public Task CloseInputAsync(CancellationToken cancellationToken)
        {
            stream.CloseWrite();
            return Task.CompletedTask;
        }

        public Task ResizeAsync(int width, int height, CancellationToken cancellationToken) =>
            EngineErrors.Guard(endpoint, () => client.Exec.ResizeExecTtyAsync(id, new ContainerResizeParameters { Width = width, Height = height }, cancellationToken));

        public Task<int> ExitCodeAsync(CancellationToken cancellationToken) =>
            EngineErrors.Guard(endpoint, async () =>
            {
                // The output ends a moment before the engine records the exit: asked again until it has.
                for (var attempt = 0; ; attempt++)
                {
                    var inspected = await client.Exec.InspectContainerExecAsync(id, cancellationToken).ConfigureAwait(false);
                    if (!inspected.Running || attempt >= 50)
                    {
                        return (int)(inspected.ExitCode ?? -1);
                    }

                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            });

        public ValueTask DisposeAsync()
        {
            stream.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
