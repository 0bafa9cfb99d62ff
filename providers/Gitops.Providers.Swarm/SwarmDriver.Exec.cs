using System.Globalization;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Swarm;

/// <summary>
/// <c>paas exec</c> on Swarm: in a running task's container, through this node's engine. A task on
/// another node is out of its reach, and the error says which node runs it.
/// </summary>
public sealed partial class SwarmDriver : IServiceExec
{
    public Task<IExecSession> ExecAsync(ExecRequest request, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var service = (await _observer.ServicesAsync(request.Project, request.Environment, cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(s => s.Spec!.Labels[Gitops.Engine.Desired.Labels.Service] == request.Service);
            var task = service is null ? null : (await _observer.RunningTasksAsync([service.ID], cancellationToken).ConfigureAwait(false))
                .Where(SwarmObserver.IsRunning)
                .Where(t => request.Replica is not { } wanted || t.Slot == wanted)
                .OrderBy(t => t.Slot)
                .FirstOrDefault();
            if (task is null)
            {
                throw new TargetRefusedException(request.Replica is { } n
                    ? $"service {request.Service} has no running task in slot {n} in {request.Project}/{request.Environment} (on Swarm, --replica is the task's slot)"
                    : $"service {request.Service} has no running task in {request.Project}/{request.Environment}");
            }

            var here = (await client.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false)).Swarm?.NodeID;
            if (task.NodeID != here || task.Status?.ContainerStatus?.ContainerID is not { Length: > 0 } container)
            {
                throw new TargetRefusedException($"{request.Service}'s task in slot {task.Slot} runs on node {task.NodeID}, not on this one: paas exec reaches the tasks of the node its target names");
            }

            return await EngineExec.StartAsync(client, _endpoint, container, $"{request.Service}-{(task.Slot ?? 0).ToString(CultureInfo.InvariantCulture)}", request, cancellationToken).ConfigureAwait(false);
        });
}
