using System.Globalization;
using Gitops.Engine.State;

namespace Gitops.Engine.Execution;

/// <summary>
/// Keeps a deployment's build output and finished steps in the state store (for <c>paas logs</c>
/// and the API) while passing each on to the terminal or the server log.
/// </summary>
internal sealed class DeploymentLog(StateStore state, string deploymentId, IProgress<ExecutorEvent> steps, IProgress<string> build) : IProgress<ExecutorEvent>, IProgress<string>
{
    public void Report(ExecutorEvent value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mark = value.Ok ? "ok" : "failed";
        state.AppendLog(deploymentId, new LogLine(DateTimeOffset.UtcNow, "deploy",
            string.Create(CultureInfo.InvariantCulture, $"{mark} {value.Step}: {value.Detail} ({value.Duration.TotalSeconds:0.0}s)")));
        steps.Report(value);
    }

    public void Report(string value)
    {
        state.AppendLog(deploymentId, new LogLine(DateTimeOffset.UtcNow, "build", value));
        build.Report(value);
    }
}
