using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Execution;
using Gitops.Engine.Forges;
using Gitops.Engine.Planning;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
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
        var git = new GitSource(Path.Combine(dataDirectory, "repos"), platform.AllowFileUrls);
        CliAudit.Record(state, "promote", $"{options.Project} {options.From} → {options.To}{(options.Merge ? " (merge)" : "")}");
        var result = new Promoter(state, git).Promote(options.Project, options.From, options.To, options.Merge);
        if (!result.Merged && new Forges(state).Of(options.Project) is { } forge)
        {
            result = OpenPullRequest(state, platform, git, forge, options, result, console);
        }
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

    /// <summary>The pull request's body is the plan the merge would apply to the target environment.</summary>
    private static PromotionResult OpenPullRequest(StateStore state, PlatformConfig platform, GitSource git, ForgeConfig forge, PromoteOptions options, PromotionResult pushed, CliConsole console)
    {
        var tree = git.Open(options.Project, pushed.Commit);
        var manifest = tree.LoadManifest().ForEnvironment(options.To);
        using var connection = ProviderRegistry.Default.Connect(platform.Target(manifest.Environments[options.To].Target));
        var quiet = new Progress<ExecutorEvent>();
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, state.DataDirectory);
        var prepared = new Deployer(connection.Driver, connection.Images, state, new SecretStore(state), quiet, new Progress<string>(), ingress, registry: platform.Registry)
            .PlanAsync(tree, manifest, options.To, console.Cancellation).GetAwaiter().GetResult();
        var body = $"Promotes `{pushed.Commit[..12]}`, what **{options.From}** runs now, to **{options.To}**. "
            + $"The images are the ones {options.From} runs (same build inputs), so nothing is rebuilt.\n\n"
            + $"Plan for {options.To} against what runs there now:\n\n```\n{PlanText.Render(prepared.Plan)}```\n\nOpened by `paas promote`.";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var request = new ForgeClient(http).OpenAsync(forge, new Forges(state).Token(options.Project), pushed.PromotionBranch, pushed.TargetBranch,
                $"Promote {options.Project} {options.From} → {options.To} ({pushed.Commit[..12]})", body, console.Cancellation).GetAwaiter().GetResult();
            return pushed with
            {
                PullRequest = request.Url,
                Message = $"opened pull request #{request.Number} ({request.Url}) from {pushed.PromotionBranch} into {pushed.TargetBranch}; merging it deploys {options.To} with the image {options.From} runs",
            };
        }
        catch (ForgeException e)
        {
            throw new CliException(ExitCodes.Failed, $"pushed {pushed.PromotionBranch}, but opening the pull request failed: {e.Message}");
        }
    }
}
