using CommandLine;

namespace Gitops.Cli.Commands;

/// <summary>Options every command takes.</summary>
public abstract class CommonOptions
{
    [Option('o', "output", Default = OutputFormat.Text, HelpText = "Output format: text or json.")]
    public OutputFormat Output { get; set; }

    [Option("verbose", HelpText = "Show the stack trace of an unexpected error (and, for quickstart, the server's log records).")]
    public bool Verbose { get; set; }
}
