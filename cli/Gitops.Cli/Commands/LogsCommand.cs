using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("logs", HelpText = "A deployment's log: its build output and each step with its timing (ids from paas history).")]
public sealed class LogsOptions : CommonOptions
{
    [Value(0, MetaName = "DEPLOYMENT", Required = true, HelpText = "Deployment id, e.g. d-20261127-101500-3fa9c2.")]
    public string Deployment { get; set; } = "";

    [Option('f', "follow", HelpText = "Keep printing new lines until the deployment finishes (remote mode).")]
    public bool Follow { get; set; }

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class LogsCommand
{
    /// <summary>The API's answer for one page of a log.</summary>
    private sealed record LogPage(string Deployment, DeploymentStatus Status, List<LogLine> Lines, int Next, bool Finished);

    public static int Run(LogsOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        var lines = new List<LogLine>();
        DeploymentStatus status;
        if (server is null)
        {
            using var state = SecretsCommand.OpenState(DataDirectory.Resolve(options.DataDir));
            status = (state.Deployment(options.Deployment) ?? throw new CliException(ExitCodes.InvalidInput, $"no deployment {options.Deployment} (paas history lists them)")).Status;
            lines.AddRange(state.LogOf(options.Deployment));
            Print(console, options, lines);
        }
        else
        {
            var path = $"api/v1/deployments/{Uri.EscapeDataString(options.Deployment)}/logs";
            var page = server.Get<LogPage>(path);
            Print(console, options, page.Lines);
            lines.AddRange(page.Lines);
            while (options.Follow && !page.Finished)
            {
                Task.Delay(TimeSpan.FromMilliseconds(500), console.Cancellation).GetAwaiter().GetResult();
                page = server.Get<LogPage>($"{path}?after={page.Next}");
                Print(console, options, page.Lines);
                lines.AddRange(page.Lines);
            }

            status = page.Status;
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new { deployment = options.Deployment, status, lines });
        }
        else
        {
            console.Human.MarkupLine($"[grey]deployment {Markup.Escape(options.Deployment)}: {status.ToString().ToLowerInvariant()}[/]");
        }

        return ExitCodes.Ok;
    }

    private static void Print(CliConsole console, LogsOptions options, IEnumerable<LogLine> lines)
    {
        if (options.Output == OutputFormat.Json)
        {
            return;
        }

        foreach (var line in lines)
        {
            console.Raw.WriteLine($"{line.At:HH:mm:ss} {line.Stream,-6} {line.Text}");
        }
    }
}
