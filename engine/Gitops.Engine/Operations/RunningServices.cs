using Gitops.Engine.Desired;
using Gitops.Engine.State;

namespace Gitops.Engine.Operations;

/// <summary>Why an operation on a running service cannot go ahead: no such service running, or a target that cannot do it.</summary>
public sealed class ServiceRefusedException(string message, bool notFound) : Exception(message)
{
    /// <summary>The environment or service does not exist (as opposed to a target that cannot do it).</summary>
    public bool NotFound { get; } = notFound;
}

/// <summary>What an environment runs now (its last successful deployment), for operations named by service: logs, exec, restart.</summary>
public static class RunningServices
{
    /// <summary>The service as its environment's running deployment has it; refused, naming those it runs, when it has no such service.</summary>
    public static DesiredService Require(StateStore state, string project, string environment, string service)
    {
        ArgumentNullException.ThrowIfNull(state);
        var place = $"{project}/{environment}";
        var services = state.LastSucceeded(project, environment) is { Desired: { Revision: not "destroy" } desired } ? desired.Services
            : throw new ServiceRefusedException($"{place} has no running deployment (paas status lists what runs)", notFound: true);
        return services.FirstOrDefault(s => s.Name == service)
            ?? throw new ServiceRefusedException($"{place} runs no service '{service}'; it runs {string.Join(", ", services.Select(s => s.Name))}", notFound: true);
    }
}
