using CommandLine;

namespace Gitops.Cli.Commands;

[Verb("destroy", HelpText = "Remove everything an environment runs. Volumes (data) stay unless --volumes.")]
public sealed class DestroyOptions : EngineOptions
{
    [Value(0, MetaName = "DIR", Default = ".", HelpText = "Directory holding paas.yaml.")]
    public string Path { get; set; } = ".";

    [Option('y', "yes", HelpText = "Destroy without asking.")]
    public bool Yes { get; set; }

    [Option("volumes", HelpText = "Also delete the environment's volumes and the data in them.")]
    public bool Volumes { get; set; }
}

public static class DestroyCommand
{
    public static int Run(DestroyOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using var session = EngineSession.Open(options.Path, options, console);
        session.Deployer.RecoverAsync(session.Manifest.Project, session.Environment, console.Cancellation).GetAwaiter().GetResult();
        var prepared = session.Deployer.PlanDestroyAsync(session.Manifest.Project, session.Environment, options.Volumes, console.Cancellation).GetAwaiter().GetResult();
        PlanCommand.Show(console, OutputFormat.Text, prepared.Plan);
        if (!prepared.Plan.HasChanges)
        {
            return ExitCodes.Ok;
        }

        if (!options.Yes)
        {
            throw new CliException(ExitCodes.Usage, "destroy removes running services; pass --yes to confirm");
        }

        return ApplyCommand.Apply(session, prepared, allowEmpty: true, console, options.Output);
    }
}
