using CommandLine;
using Gitops.Engine.Execution;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Caddy;
using Gitops.Providers.Docker;
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
    public static int Run(RollbackOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformConfig.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var records = new EnvironmentRecords(state);
        var name = $"{options.Project}/{options.Environment}";
        if (options.Clear)
        {
            console.Human.MarkupLine(records.Unpin(options.Project, options.Environment)
                ? $"un-pinned {name}: the next sync deploys its branch"
                : $"{name} was not pinned");
            return ExitCodes.Ok;
        }

        var target = Choose(state, options);
        CliAudit.Record(state, "rollback", $"{name} to {target.Id}");
        var lastSync = records.LastSync(options.Project, options.Environment);
        var (driver, images) = DockerTarget.Connect(platform.Target(lastSync?.Target ?? "local"));
        using var _ = driver;
        using var ingress = CaddyIngress.For(platform, dataDirectory);
        var progress = new ProgressPrinter(console);
        var deployer = new Deployer(driver, images, state, new SecretStore(state), progress, progress.BuildLog, ingress);
        deployer.RecoverAsync(options.Project, options.Environment, console.Cancellation).GetAwaiter().GetResult();
        var prepared = deployer.PlanRollbackAsync(target, console.Cancellation).GetAwaiter().GetResult();
        PlanCommand.Show(console, OutputFormat.Text, prepared.Plan);
        var runningCommit = lastSync?.Commit ?? state.Recorded(options.Project, options.Environment).Revision;
        console.Human.MarkupLine($"rolling [bold]{name}[/] back to {target.Id} ({Markup.Escape(target.Revision[..Math.Min(12, target.Revision.Length)])})...");
        var deployment = deployer.ApplyAsync(prepared, $"rollback to {target.Id}", allowEmpty: false, console.Cancellation).GetAwaiter().GetResult();
        if (deployment.Status == DeploymentStatus.Succeeded)
        {
            records.Pin(options.Project, options.Environment, new Pin(target.Id, runningCommit, DateTimeOffset.UtcNow));
            console.Human.MarkupLine($"[yellow]pinned[/] {name} to {target.Id}: the loop leaves it there until a new commit reaches its branch (paas rollback {options.Project} --env {options.Environment} --clear to follow the branch now)");
        }

        return ApplyCommand.Done(console, options.Output, deployment);
    }

    private static Deployment Choose(StateStore state, RollbackOptions options)
    {
        var history = state.History(options.Project, options.Environment, 200);
        if (options.To is { } id)
        {
            var chosen = history.FirstOrDefault(d => d.Id == id) ?? throw new CliException(ExitCodes.InvalidInput, $"no deployment {id} in {options.Project}/{options.Environment} (paas history lists them)");
            return chosen.Status == DeploymentStatus.Succeeded && chosen.Desired is not null
                ? chosen
                : throw new CliException(ExitCodes.InvalidInput, $"{id} did not succeed (it is {chosen.Status.ToString().ToLowerInvariant()}); roll back to a deployment that ran");
        }

        // The newest successful deployment is what runs now; the one before it is where a rollback goes.
        return history.Where(d => d.Status == DeploymentStatus.Succeeded && d.Desired is not null).Skip(1).FirstOrDefault()
            ?? throw new CliException(ExitCodes.InvalidInput, $"{options.Project}/{options.Environment} has no earlier successful deployment to roll back to");
    }
}
