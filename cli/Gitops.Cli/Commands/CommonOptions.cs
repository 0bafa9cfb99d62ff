using CommandLine;

namespace Gitops.Cli.Commands;

/// <summary>Options every command takes.</summary>
public abstract class CommonOptions
{
    [Option('o', "output", Default = OutputFormat.Text, HelpText = "Output format: text or json.")]
    public OutputFormat Output { get; set; }
}
