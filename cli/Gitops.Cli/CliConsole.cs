using Spectre.Console;

namespace Gitops.Cli;

/// <summary>
/// Where the CLI writes: a Spectre console for people, and the raw writer for machine output
/// (JSON, the schema), which must never pass through markup or line wrapping.
/// </summary>
public sealed record CliConsole(IAnsiConsole Human, TextWriter Raw, TextWriter Error)
{
    public static CliConsole System()
    {
        // Piped output is read by tools and grep: never wrap it at the default 80 columns.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Console.Profile.Width = 1000;
        }

        return new(AnsiConsole.Console, Console.Out, Console.Error);
    }

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
