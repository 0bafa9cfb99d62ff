using Gitops.Schema.Diagnostics;
using Spectre.Console;

namespace Gitops.Cli.Output;

/// <summary>Prints diagnostics the way compilers do: place, code, message, then the line with a caret.</summary>
internal static class DiagnosticPrinter
{
    public static void Print(CliConsole console, IReadOnlyList<Diagnostic> errors)
    {
        var lines = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var error in errors)
        {
            console.Human.MarkupLine($"[bold]{Markup.Escape(error.Location.ToString())}[/]: [red]{error.Code}[/] {Markup.Escape(error.Message)}");
            if (SourceLine(lines, error.Location) is { } line)
            {
                var number = error.Location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                console.Human.MarkupLine($"[grey]{number,5} |[/] {Markup.Escape(line)}");
                console.Human.MarkupLine($"[grey]{"",5} |[/] {new string(' ', Math.Max(0, error.Location.Column - 1))}[red]^[/]");
            }
        }

        console.Human.MarkupLine($"[red]{errors.Count} error{(errors.Count == 1 ? "" : "s")}[/]");
    }

    private static string? SourceLine(Dictionary<string, string[]> cache, SourceLocation location)
    {
        if (!cache.TryGetValue(location.File, out var lines))
        {
            var file = new FileInfo(location.File);
            lines = file.Exists && file.Length <= 1024 * 1024 ? File.ReadAllLines(location.File) : [];
            cache[location.File] = lines;
        }

        var index = location.Line - 1;
        return index >= 0 && index < lines.Length && lines[index].Length <= 300 ? lines[index].TrimEnd() : null;
    }
}
