using Gitops.Cli.Commands;
using Gitops.Cli.Output;
using Gitops.Engine.Reconcile;

namespace Gitops.Cli.Remote;

/// <summary><c>paas status</c> against a server: each environment of the project as the loop left it.</summary>
internal static class RemoteStatus
{
    public static int Show(ServerClient server, StatusOptions options, CliConsole console)
    {
        var project = options.RemoteProject();
        var environments = server.Get<List<EnvironmentStatus>>($"api/v1/environments?project={Uri.EscapeDataString(project)}")
            .Where(e => options.Environment is null || e.Environment == options.Environment)
            .ToList();
        if (options.Environment is not null && environments.Count == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, $"{server.Server} has no environment {project}/{options.Environment}");
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new StatusDocument(environments));
            return ExitCodes.Ok;
        }

        foreach (var environment in environments)
        {
            StatusPrinter.Print(console, environment, scheduledHere: true);
        }

        return ExitCodes.Ok;
    }
}
