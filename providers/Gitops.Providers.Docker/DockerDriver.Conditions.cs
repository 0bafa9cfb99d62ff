using System.Globalization;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;

namespace Gitops.Providers.Docker;

/// <summary>
/// Restarts and kills the engine did by itself (its restart policy brings a crashed replica back,
/// so the replica looks fine to a plan). Docker says when the kernel killed a container for memory;
/// Podman 4.3 on this machine never does (measured: OOMKilled stays false and no oom event comes),
/// so a Podman replica killed for memory shows as restarted, or as killed with exit 137.
/// </summary>
public sealed partial class DockerDriver
{
    public Task<IReadOnlyList<ReplicaCondition>> ConditionsAsync(string project, string environment, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            var containers = (await OwnedContainersAsync(project, environment, cancellationToken).ConfigureAwait(false))
                .Where(c => c.Labels.ContainsKey(Labels.Service))
                .OrderBy(c => c.Names.First(), StringComparer.Ordinal);
            var conditions = new List<ReplicaCondition>();
            foreach (var container in containers)
            {
                if (await InspectAsync(container.ID, cancellationToken).ConfigureAwait(false) is not { State: { } state } inspected || state.Status is "removing" or "dead")
                {
                    continue; // removed meanwhile, or being removed (docker rm -f kills it first): a missing replica is the plan's drift, not an incident
                }

                conditions.Add(new ReplicaCondition(
                    container.Names.First().TrimStart('/'),
                    container.Labels[Labels.Service],
                    int.TryParse(Label(container.Labels, Labels.Replica), CultureInfo.InvariantCulture, out var replica) ? replica : 0,
                    (int)inspected.RestartCount,
                    LastEnd(state)));
            }

            return (IReadOnlyList<ReplicaCondition>)conditions;
        });

    /// <summary>Docker keeps <c>OOMKilled</c> after its restart policy brought the container back; the exit code only while it is down.</summary>
    private static string? LastEnd(State state) =>
        state.OOMKilled ? ReplicaCondition.KilledForMemory
        : state.Running || state.ExitCode == 0 ? null
        : state.ExitCode == 137 ? "killed (exit 137)"
        : string.Create(CultureInfo.InvariantCulture, $"exited with code {state.ExitCode}");
}
