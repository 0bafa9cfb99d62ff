using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Sources;
using Gitops.Engine.Execution;
using Gitops.Engine.State;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("apply", HelpText = "Make an environment match paas.yaml (or apply a plan saved with 'paas plan --out').")]
public sealed class ApplyOptions : EngineOptions
{
    [Value(0, MetaName = "DIR|PLAN", Default = ".", HelpText = "Directory holding paas.yaml, or a saved plan file.")]
    public string Path { get; set; } = ".";

    [Option('y', "yes", HelpText = "Apply without asking.")]
    public bool Yes { get; set; }

    [Option("allow-empty", HelpText = "Allow a plan that deletes every service.")]
    public bool AllowEmpty { get; set; }
}

public static class ApplyCommand
{
    public static int Run(ApplyOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var saved = options.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(options.Path)
            ? StateJson.Read<SavedPlan>(File.ReadAllText(options.Path))
            : null;
        using var session = EngineSession.Open(saved?.Directory ?? options.Path, options, console);
        session.Deployer.RecoverAsync(session.Manifest.Project, session.Environment, console.Cancellation).GetAwaiter().GetResult();
        var prepared = session.Deployer.PlanAsync(new DirectoryTree(session.Directory), session.Manifest, session.Environment, console.Cancellation).GetAwaiter().GetResult();
        if (saved is not null && saved.Plan != prepared.Plan)
        {
            throw new CliException(ExitCodes.InvalidInput, $"the saved plan {options.Path} is stale: the state or the sources changed since it was made (state version {saved.Plan.StateVersion}, now {prepared.Plan.StateVersion}); run paas plan again");
        }

        PlanCommand.Show(console, OutputFormat.Text, prepared.Plan);
        // A server started on this data directory later routes the environment's events by them.
        new Gitops.Engine.Notifications.NotificationRules(session.State).Record(session.Manifest.Project, session.Environment, session.Manifest.Notify);
        if (!prepared.Plan.HasChanges)
        {
            return Done(console, options.Output, null);
        }

        if (!options.Yes && saved is null && !Confirm(console))
        {
            console.Human.MarkupLine("nothing applied");
            return ExitCodes.Ok;
        }

        return Apply(session, prepared, options.AllowEmpty, console, options.Output);
    }

    public static int Apply(EngineSession session, PreparedPlan prepared, bool allowEmpty, CliConsole console, OutputFormat output)
    {
        console.Human.MarkupLine($"applying to [bold]{session.Manifest.Project}/{session.Environment}[/]...");
        var target = $"{session.Manifest.Project}/{session.Environment} at {prepared.Plan.Revision}";
        CliAudit.Record(session.State, "apply", target, "accepted");
        Deployment deployment;
        try
        {
            deployment = session.Deployer.ApplyAsync(prepared, "cli", allowEmpty, console.Cancellation).GetAwaiter().GetResult();
            CliAudit.Record(session.State, "apply", target, $"{deployment.Status.ToString().ToLowerInvariant()} ({deployment.Id}){(deployment.Error is null ? "" : ": " + deployment.Error)}");
        }
        catch (PlanRefusedException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }

        return Done(console, output, deployment);
    }

    internal static int Done(CliConsole console, OutputFormat output, Deployment? deployment)
    {
        if (output == OutputFormat.Json)
        {
            Json.Write(console, new ApplyDocument(deployment is not null, deployment));
        }
        else if (deployment is not null)
        {
            var color = deployment.Status == DeploymentStatus.Succeeded ? "green" : "red";
            var seconds = ((deployment.FinishedAt ?? deployment.StartedAt) - deployment.StartedAt).TotalSeconds;
            console.Human.MarkupLine($"[{color}]{deployment.Status.ToString().ToLowerInvariant()}[/] deployment {deployment.Id} in {seconds:0.0}s{(deployment.Error is null ? "" : ": " + Markup.Escape(deployment.Error))}");
        }

        return deployment is null || deployment.Status == DeploymentStatus.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static bool Confirm(CliConsole console)
    {
        if (Console.IsInputRedirected)
        {
            throw new CliException(ExitCodes.Usage, "apply asks before it changes anything; pass --yes when there is no terminal to answer");
        }

        return console.Human.Confirm("Apply these changes?", defaultValue: false);
    }
}

[Description("paas apply, paas restart, paas rollback: the deployment made, or applied false when there was nothing to change.")]
public sealed record ApplyDocument(bool Applied, [property: Description("null when nothing was applied")] Deployment? Deployment);
