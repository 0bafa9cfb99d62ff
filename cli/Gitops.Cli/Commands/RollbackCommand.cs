using CommandLine;
using Gitops.Cli.Remote;
using Gitops.Engine.Reconcile;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("rollback", HelpText = "Redeploy an earlier deployment's exact images and configuration; the environment stays there until its branch moves.")]
public sealed class RollbackOptions : CommonOptions
{
    [Value(0, MetaName = "PROJECT", Required = true, HelpText = "Project name.")]
    public string Project { get; set; } = "";

    [Option('e', "env", Required = true, HelpText = "Environment.")]
    public string Environment { get; set; } = "";

    [Option("to", HelpText = "Deployment to go back to (paas history). Default: the last successful one before the current.")]
    public string? To { get; set; }

    [Option("clear", HelpText = "Un-pin: the environment follows its branch again from the next sync.")]
    public bool Clear { get; set; }

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>
/// Rollback, top-down: choose the deployment → plan its recorded desired state against what runs →
/// apply (start-first, health-checked, policy checked again at the choke point) → pin the
/// environment so the loop does not redeploy the branch until a new commit arrives.
/// </summary>
public static class RollbackCommand
{
    private sealed record RemoteAnswer(string Target, Deployment Deployment, bool Pinned);

    public static int Run(RollbackOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var name = $"{options.Project}/{options.Environment}";
        using (var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                var path = $"api/v1/environments/{Uri.EscapeDataString(options.Project)}/{Uri.EscapeDataString(options.Environment)}/rollback";
                if (options.Clear)
                {
                    console.Human.MarkupLine(server.Post<Unpinned>(path + "/clear").Changed ? $"un-pinned {name}: the next sync deploys its branch" : $"{name} was not pinned");
                    return ExitCodes.Ok;
                }

                console.Human.MarkupLine($"asking {server.Server} to roll [bold]{name}[/] back{(options.To is null ? "" : " to " + options.To)}...");
                var answer = server.Post<RemoteAnswer>(path, new { to = options.To });
                return Finish(console, options, name, answer.Target, answer.Deployment, answer.Pinned);
            }
        }

        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformConfig.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        if (options.Clear)
        {
            CliAudit.Record(state, "rollback clear", name);
            console.Human.MarkupLine(new EnvironmentRecords(state).Unpin(options.Project, options.Environment)
                ? $"un-pinned {name}: the next sync deploys its branch"
                : $"{name} was not pinned");
            return ExitCodes.Ok;
        }

        using var ingress = ProviderRegistry.Default.OpenIngress(platform, dataDirectory);
        var progress = new ProgressPrinter(console);
        var rollbacks = new Rollbacks(state, platform, ProviderRegistry.Default.Connect, ingress, progress);
        Deployment target;
        try
        {
            target = rollbacks.Choose(options.Project, options.Environment, options.To);
        }
        catch (RollbackRefusedException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }

        CliAudit.Record(state, "rollback", $"{name} to {target.Id}");
        console.Human.MarkupLine($"rolling [bold]{name}[/] back to {target.Id} ({Markup.Escape(target.Revision[..Math.Min(12, target.Revision.Length)])})...");
        var result = rollbacks.RollbackAsync(target, new Gitops.Engine.Execution.InlineProgress<Gitops.Engine.Planning.Plan>(plan => PlanCommand.Show(console, OutputFormat.Text, plan)), console.Cancellation).GetAwaiter().GetResult();
        return Finish(console, options, name, target.Id, result.Deployment, result.Pinned);
    }

    private sealed record Unpinned(bool Changed);

    private static int Finish(CliConsole console, RollbackOptions options, string name, string target, Deployment deployment, bool pinned)
    {
        if (pinned)
        {
            console.Human.MarkupLine($"[yellow]pinned[/] {name} to {target}: the loop leaves it there until a new commit reaches its branch (paas rollback {options.Project} --env {options.Environment} --clear to follow the branch now)");
        }

        return ApplyCommand.Done(console, options.Output, deployment);
    }
}
