using Gitops.Engine.Desired;
using Gitops.Engine.State;

namespace Gitops.Engine.Targets;

/// <summary>
/// The instance name a target that rolls out itself records for a whole service (inventory, plan):
/// <c>paas_project_env_service</c>, and the deletion of the services a plan node removes by those names.
/// </summary>
public static class ServiceInstances
{
    public static string Of(string project, string environment, string service) =>
        $"{Names.Network(project, environment)}{Names.Separator}{service}";

    /// <summary>(project, environment, service) of an instance name; null for a name of another shape.</summary>
    public static (string Project, string Environment, string Service)? Parse(string instance) =>
        instance.Split(Names.Separator) is ["paas", var project, var environment, var service] ? (project, environment, service) : null;

    /// <summary>
    /// Each service the node removes, one journaled step (<paramref name="action"/>) each. An instance
    /// name is read back for its service only: the environment is the change's, never the name's, and
    /// a name of another environment is refused before anything is deleted.
    /// </summary>
    /// <param name="describe">The step's description, from the service's name.</param>
    /// <param name="delete">Deletes the change's environment's service of that name.</param>
    public static async Task DeleteEachAsync(ServiceChange change, IRolloutHost host, string action, Func<string, string> describe, Func<string, CancellationToken, Task> delete, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(delete);
        foreach (var instance in change.Node.Remove.Distinct(StringComparer.Ordinal))
        {
            if (Parse(instance) is not var (project, environment, service) || project != change.Project || environment != change.Environment)
            {
                throw new TargetRefusedException($"'{instance}' is not an instance of {change.Project}/{change.Environment}; nothing was deleted");
            }

            await host.StepAsync(new JournaledStep(action, instance, InventoryChange.Removes) { Description = describe(service) },
                t => delete(service, t), cancellationToken).ConfigureAwait(false);
        }
    }
}
