using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Operations;

/// <summary>
/// <c>paas exec SERVICE --env ENV -- CMD ARGS…</c>, locally and through the server: the service must
/// run in the environment's current deployment and its target must run commands in replicas; then
/// the command starts in the replica asked for, with the command as its argument list.
/// </summary>
/// <param name="connect">The target an environment runs on (<see cref="Crons.CronRunner.OnLastSyncedTarget"/>).</param>
public sealed class ServiceExec(StateStore state, Func<string, string, TargetConnection> connect)
{
    /// <summary>The started command; refused with <see cref="ServiceRefusedException"/> (or the target's error) before it runs.</summary>
    public async Task<IExecSession> StartAsync(ExecRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RunningServices.Require(state, request.Project, request.Environment, request.Service);
        if (request.Command.Count == 0 || request.Command[0].Length == 0)
        {
            throw new ServiceRefusedException("say which command to run: paas exec SERVICE --env ENV -- COMMAND ARGS…", notFound: false);
        }

        if (request.Replica is < 1)
        {
            throw new ServiceRefusedException($"--replica {request.Replica}: replicas are numbered from 1", notFound: false);
        }

        var connection = connect(request.Project, request.Environment);
        try
        {
            if (connection.Driver is not IServiceExec exec)
            {
                throw new ServiceRefusedException($"{request.Project}/{request.Environment} runs on a {connection.Driver.Kind} target, in whose replicas paas cannot run commands yet; use the target's own tool", notFound: false);
            }

            return new OwningSession(await exec.ExecAsync(request, cancellationToken).ConfigureAwait(false), connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A session that lets go of its target connection when it ends.</summary>
    private sealed class OwningSession(IExecSession inner, TargetConnection connection) : IExecSession
    {
        public string Replica => inner.Replica;

        public Task<(ExecStream Stream, int Count)?> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => inner.ReadAsync(buffer, cancellationToken);

        public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => inner.WriteAsync(input, cancellationToken);

        public Task CloseInputAsync(CancellationToken cancellationToken) => inner.CloseInputAsync(cancellationToken);

        public Task ResizeAsync(int width, int height, CancellationToken cancellationToken) => inner.ResizeAsync(width, height, cancellationToken);

        public Task<int> ExitCodeAsync(CancellationToken cancellationToken) => inner.ExitCodeAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            connection.Dispose();
        }
    }
}
