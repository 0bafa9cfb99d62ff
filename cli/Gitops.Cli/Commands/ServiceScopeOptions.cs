using CommandLine;

namespace Gitops.Cli.Commands;

/// <summary>Options of the commands that act on an environment's services (logs, exec, restart, cron): where the project is named, and which server to ask.</summary>
public abstract class ServiceScopeOptions : EngineOptions
{
    [Option("dir", Default = ".", HelpText = "Directory holding paas.yaml (names the project and its environments).")]
    public string Dir { get; set; } = ".";

    [Option("project", HelpText = "Project name, instead of reading it from --dir's paas.yaml.")]
    public string? Project { get; set; }

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }
}
