using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Sources;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("promote", HelpText = "Promote what runs in one environment to the next: a promotion branch, merged by pull request or --merge.")]
public sealed class PromoteOptions : CommonOptions
{
    [Value(0, MetaName = "PROJECT", Required = true, HelpText = "Project name.")]
    public string Project { get; set; } = "";

    [Option("from", Required = true, HelpText = "Source environment (its running commit is promoted).")]
    public string From { get; set; } = "";

    [Option("to", Required = true, HelpText = "Target environment.")]
    public string To { get; set; } = "";

    [Option("merge", HelpText = "Fast-forward the target environment's branch now (when possible) instead of leaving a branch for a pull request.")]
    public bool Merge { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class PromoteCommand
{
    public static int Run(PromoteOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformConfig.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var result = new Promoter(state, new GitSource(Path.Combine(dataDirectory, "repos"), platform.AllowFileUrls)).Promote(options.Project, options.From, options.To, options.Merge);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, result);
        }
        else
        {
            console.Human.MarkupLine(Markup.Escape(result.Message));
        }

        return ExitCodes.Ok;
    }
}
