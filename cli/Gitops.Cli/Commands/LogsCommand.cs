using System.ComponentModel;
using System.Text.RegularExpressions;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("logs", HelpText = "SERVICE: the service's application output, every replica interleaved (-f follows, --since, --tail, --replica). DEPLOYMENT: a deployment's log, its build output and each step with its timing (ids from paas history).")]
public sealed class LogsOptions : ServiceScopeOptions
{
    [Value(0, MetaName = "SERVICE|DEPLOYMENT", HelpText = "A service of the environment (web), or a deployment id (d-20261127-101500-3fa9c2).")]
    public string Name { get; set; } = "";

    [Option('f', "follow", HelpText = "Keep printing new lines: a service's until Ctrl+C, from replicas started meanwhile too; a deployment's until it finishes (remote mode).")]
    public bool Follow { get; set; }

    [Option("since", HelpText = "Service: lines from this age (90s, 10m, 2h, 7d) or time (2026-12-02T07:00:00Z) on.")]
    public string? Since { get; set; }

    [Option("tail", HelpText = "Service: the last N lines of each replica, or all. Default: 100, or all with --since.")]
    public string? Tail { get; set; }

    [Option("replica", HelpText = "Service: only this replica (numbered from 1, as paas status shows them).")]
    public int? Replica { get; set; }

    [Option('t', "timestamps", HelpText = "Service: print each line's time.")]
    public bool Timestamps { get; set; }

    [Option("stats", HelpText = "What the platform keeps of each kind of log (deploy, cron, runtime, audit), for how long (platform.yaml logs:), and the last compaction.")]
    public bool Stats { get; set; }

    [Option("compact", HelpText = "With --stats: drop what is past its retention now (a server does it every hour).")]
    public bool Compact { get; set; }
}

/// <summary><c>paas logs</c>: a deployment's log when given a deployment id, else a service's application logs (<see cref="ServiceLogsCommand"/>).</summary>
public static partial class LogsCommand
{
    /// <summary>The API's answer for one page of a log.</summary>
    private sealed record LogPage(string Deployment, DeploymentStatus Status, List<LogLine> Lines, int Next, bool Finished);

    public static int Run(LogsOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        console = console.For(options.Output);
        if (options.Stats)
        {
            return LogStatsCommand.Run(options, console);
        }

        if (options.Name.Length == 0)
        {
            throw new CliException(ExitCodes.Usage, "say whose logs: paas logs SERVICE --env ENV, paas logs DEPLOYMENT, or paas logs --stats");
        }

        return DeploymentId().IsMatch(options.Name) && options.Environment is null
            ? Deployment(options, console)
            : ServiceLogsCommand.Run(options, console);
    }

    private static int Deployment(LogsOptions options, CliConsole console)
    {
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        var lines = new List<LogLine>();
        DeploymentStatus status;
        if (server is null)
        {
            using var state = SecretsCommand.OpenState(DataDirectory.Resolve(options.DataDir));
            status = (state.Deployment(options.Name) ?? throw new CliException(ExitCodes.InvalidInput, $"no deployment {options.Name} (paas history lists them)")).Status;
            lines.AddRange(state.LogOf(options.Name));
            Print(console, options, lines);
        }
        else
        {
            var path = $"api/v1/deployments/{Uri.EscapeDataString(options.Name)}/logs";
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
            Json.Write(console, new DeploymentLogDocument(options.Name, status, lines));
        }
        else
        {
            console.Human.MarkupLine($"[grey]deployment {Markup.Escape(options.Name)}: {status.ToString().ToLowerInvariant()}{(lines.Count == 0 && status != DeploymentStatus.Running ? "; its log is no longer kept (platform.yaml's logs.deploy says how long)" : "")}[/]");
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

    /// <summary>What <c>Deployments.NewId</c> makes: a service is never read as one (and <c>--env</c> says a service is meant).</summary>
    [GeneratedRegex(@"^d-\d{8}-\d{6}-[0-9a-f]{4,}$")]
    private static partial Regex DeploymentId();
}

[Description("paas logs DEPLOYMENT: a deployment's status and its log, build output and steps with their times (with -f, once it finished).")]
public sealed record DeploymentLogDocument(string Deployment, DeploymentStatus Status, IReadOnlyList<LogLine> Lines);
