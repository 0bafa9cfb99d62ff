using Spectre.Console;

namespace Gitops.Cli;

/// <summary>
/// Where the CLI writes: a Spectre console for people, and the raw writer for machine output
/// (JSON, the schema), which must never pass through markup or line wrapping.
/// </summary>
public sealed record CliConsole(IAnsiConsole Human, TextWriter Raw, TextWriter Error)
{
    /// <summary>Cancelled by Ctrl+C: engine calls stop, and an interrupted apply is recovered by the next one.</summary>
    public CancellationToken Cancellation { get; init; }

    public static CliConsole System()
    {
        // Piped output is read by tools and grep: never wrap it at the default 80 columns.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Console.Profile.Width = 1000;
        }

        return new(AnsiConsole.Console, Console.Out, Console.Error);
    }

    /// <summary>
    /// With <c>--output json</c>, standard output carries only the JSON document; progress for
    /// people goes to standard error.
    /// </summary>
    public CliConsole For(OutputFormat format) => format == OutputFormat.Json
        ? this with { Human = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Error), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors }) }
        : this;

    /// <summary>A console writing plain text (no colours, no wrapping) to the given writers; used by tests.</summary>
    public static CliConsole Plain(TextWriter output, TextWriter error)
    {
        var human = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        human.Profile.Width = 200;
        return new CliConsole(human, output, error);
    }
}
