using System.Runtime.InteropServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// A command in a container through the engine's exec API (<c>POST /containers/{id}/exec</c>, then a
/// hijacked connection both ways): a replica's on Docker and Podman, a Swarm task's on this node.
/// </summary>
public static class EngineExec
{
    public static Task<IExecSession> StartAsync(DockerClient client, EngineEndpoint endpoint, string container, string replica, ExecRequest request, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(client);
            ArgumentNullException.ThrowIfNull(request);
            var created = await client.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
            {
                Cmd = [.. request.Command],
                AttachStdin = true,
                AttachStdout = true,
                AttachStderr = true,
                TTY = request.Tty,
                ConsoleSize = request.Tty ? Size(request.Width, request.Height) : null!,
            }, cancellationToken).ConfigureAwait(false);
            var stream = await client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters { TTY = request.Tty, ConsoleSize = request.Tty ? Size(request.Width, request.Height) : null! }, cancellationToken).ConfigureAwait(false);
            var session = new EngineExecSession(client, endpoint, created.ID, replica, stream);
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
            // Straight into the caller's array when it has one: a backup reads gigabytes through here, a frame at a time.
            var segment = MemoryMarshal.TryGetArray<byte>(buffer, out var own) ? own : new ArraySegment<byte>(new byte[buffer.Length]);
            var read = await stream.ReadOutputAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                return null;
            }

            if (segment.Array != own.Array)
            {
                segment.AsMemory(0, read.Count).CopyTo(buffer);
            }

            return (read.Target == MultiplexedStream.TargetStream.StandardError ? ExecStream.Stderr : ExecStream.Stdout, read.Count);
        }

        public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) =>
            MemoryMarshal.TryGetArray(input, out var own)
                ? stream.WriteAsync(own.Array!, own.Offset, own.Count, cancellationToken)
                : stream.WriteAsync(input.ToArray(), 0, input.Length, cancellationToken);

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
