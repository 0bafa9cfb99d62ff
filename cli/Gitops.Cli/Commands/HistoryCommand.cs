using CommandLine;
using Gitops.Cli.Output;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("history", HelpText = "List an environment's deployments, newest first, with their steps.")]
public sealed class HistoryOptions : EngineOptions
{
    [Value(0, MetaName = "DIR", Default = ".", HelpText = "Directory holding paas.yaml.")]
    public string Path { get; set; } = ".";

    [Option("limit", Default = 20, HelpText = "How many deployments to show.")]
    public int Limit { get; set; } = 20;
}

public static class HistoryCommand
{
    public static int Run(HistoryOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using var session = EngineSession.Open(options.Path, options, console);
        var deployments = session.State.History(session.Manifest.Project, session.Environment, options.Limit);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, deployments);
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("deployment", "started", "status", "revision", "trigger", "steps", "error");
        foreach (var d in deployments)
        {
            table.AddRow(d.Id, d.StartedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture), d.Status.ToString().ToLowerInvariant(), Markup.Escape(d.Revision), d.Trigger, d.Steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(d.Error ?? ""));
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }
}
