using CommandLine;

namespace Gitops.Cli.Commands;

/// <summary>Options of the commands that work on an environment through the engine.</summary>
public abstract class EngineOptions : CommonOptions
{
    [Option('e', "env", HelpText = "Environment (as named in paas.yaml). Required when the manifest has several.")]
    public string? Environment { get; set; }

    [Option("data-dir", HelpText = "Platform data directory (state, platform.yaml). Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}
