using CommandLine;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("approve", HelpText = "Approve the plan waiting for an environment with approval: required, then deploy it (paas sync).")]
public sealed class ApproveOptions : CommonOptions
{
    [Value(0, MetaName = "PROJECT", Required = true, HelpText = "Project name.")]
    public string Project { get; set; } = "";

    [Option('e', "env", Required = true, HelpText = "Environment whose waiting plan is approved.")]
    public string Environment { get; set; } = "";

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class ApproveCommand
{
    public static int Run(ApproveOptions options, CliConsole console)
    {
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        using (var state = SecretsCommand.OpenState(dataDirectory))
        {
            var approved = new Approvals(state).Approve(options.Project, options.Environment)
                ?? throw new CliException(ExitCodes.InvalidInput, $"no plan is waiting for {options.Project}/{options.Environment}");
            CliAudit.Record(state, "approve", $"{options.Project}/{options.Environment} at {approved.Commit[..12]}");
            console.For(options.Output).Human.Write(new Text(approved.PlanText));
            console.For(options.Output).Human.MarkupLine($"approved {approved.Commit[..12]} for {options.Project}/{options.Environment}; deploying it now");
        }

        // The loop applies exactly the approved commit; a newer push would wait for a new approval.
        return SyncCommand.Run(new SyncOptions { Project = options.Project, DataDir = options.DataDir, Output = options.Output }, console);
    }
}
