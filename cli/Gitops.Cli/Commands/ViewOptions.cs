using CommandLine;
using Gitops.Schema.Loading;

namespace Gitops.Cli.Commands;

/// <summary>
/// Options of the commands that read what runs. They ask a server when one is named (or
/// <c>paas login</c> saved one), else they work on the local data directory.
/// </summary>
public abstract class ViewOptions : EngineOptions
{
    [Value(0, MetaName = "DIR", Default = ".", HelpText = "Directory holding paas.yaml (names the project).")]
    public string Path { get; set; } = ".";

    [Option("project", HelpText = "Project name, instead of reading it from DIR's paas.yaml (remote mode).")]
    public string? Project { get; set; }

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    /// <summary>The project to ask the server about: --project, or the one DIR's manifest names.</summary>
    public string RemoteProject()
    {
        if (Project is { } project)
        {
            return project;
        }

        var loaded = ManifestLoader.LoadPath(Path);
        return loaded.Manifest?.Project
            ?? throw new CliException(ExitCodes.Usage, $"say which project with --project (no readable paas.yaml at {Path})");
    }
}
