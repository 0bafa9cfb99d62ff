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

            return await EngineExec.StartAsync(Client, endpoint, replica.Container.ID, $"{request.Service}-{replica.Number.ToString(CultureInfo.InvariantCulture)}", request, cancellationToken).ConfigureAwait(false);
        });
}
