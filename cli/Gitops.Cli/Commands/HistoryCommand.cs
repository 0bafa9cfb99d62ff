using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.State;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("history", HelpText = "List an environment's deployments, newest first, with their steps.")]
public sealed class HistoryOptions : ViewOptions
{
    [Option("limit", Default = 20, HelpText = "How many deployments to show.")]
    public int Limit { get; set; } = 20;
}

public static class HistoryCommand
{
    public static int Run(HistoryOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        IReadOnlyList<Deployment> deployments;
        if (server is not null)
        {
            var query = $"api/v1/deployments?project={Uri.EscapeDataString(options.RemoteProject())}&limit={options.Limit}";
            deployments = server.Get<List<Deployment>>(options.Environment is { } environment ? query + "&environment=" + Uri.EscapeDataString(environment) : query);
        }
        else
        {
            using var session = EngineSession.Open(options.Path, options, console);
            deployments = session.State.History(session.Manifest.Project, session.Environment, options.Limit);
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write<IReadOnlyList<Deployment>>(console, deployments);
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("deployment", "environment", "started", "status", "revision", "trigger", "steps", "error");
        foreach (var d in deployments)
        {
            table.AddRow(d.Id, d.Environment, d.StartedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture), d.Status.ToString().ToLowerInvariant(), Markup.Escape(d.Revision[..Math.Min(12, d.Revision.Length)]), d.Trigger, d.Steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(d.Error ?? ""));
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }
}
