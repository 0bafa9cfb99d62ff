using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Forges;
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

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>
/// Promotion, top-down: through the server when one runs (it owns the state and the repository
/// cache), else on the local data directory: push the source's commit to a promotion branch →
/// fast-forward the target's branch (--merge), or open a pull request on the project's forge.
/// </summary>
public static class PromoteCommand
{
    public static int Run(PromoteOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using (var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                var path = $"api/v1/environments/{Uri.EscapeDataString(options.Project)}/{Uri.EscapeDataString(options.To)}/promote";
                return Show(console, options, server.Post<PromotionResult>(path, new { from = options.From, merge = options.Merge }));
            }
        }

        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformConfig.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var git = new GitSource(Path.Combine(dataDirectory, "repos"), platform.AllowFileUrls);
        CliAudit.Record(state, "promote", $"{options.Project} {options.From} → {options.To}{(options.Merge ? " (merge)" : "")}");
        var result = new Promoter(state, git).Promote(options.Project, options.From, options.To, options.Merge);
        if (!result.Merged && new Forges(state).Of(options.Project) is { } forge)
        {
            try
            {
                result = new PromotionPullRequest(state, platform, git).OpenAsync(forge, options.Project, options.From, options.To, result, console.Cancellation).GetAwaiter().GetResult();
            }
            catch (ForgeException e)
            {
                throw new CliException(ExitCodes.Failed, e.Message);
            }
        }

        return Show(console, options, result);
    }

    private static int Show(CliConsole console, PromoteOptions options, PromotionResult result)
    {
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
