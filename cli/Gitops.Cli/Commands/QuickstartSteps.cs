using System.Diagnostics;
using Spectre.Console;

namespace Gitops.Cli.Commands;

/// <summary>
/// The quick start's console: one line per finished step with the time it took, and notes while
/// a step runs, so a newcomer reads what happens and nothing else.
/// </summary>
internal sealed class QuickstartSteps(CliConsole console)
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly Stopwatch _step = Stopwatch.StartNew();

    public TimeSpan Total => _total.Elapsed;

    /// <summary>A step finished: its line, with the time since the previous one finished.</summary>
    public void Done(string text)
    {
        console.Human.MarkupLine($"  [green]✓[/] {Markup.Escape(text)} [grey]{_step.Elapsed.TotalSeconds:0.0} s[/]");
        _step.Restart();
    }

    /// <summary>What the running step is doing now.</summary>
    public void Note(string text) => console.Human.MarkupLine($"    [grey]{Markup.Escape(text)}[/]");

    public void Heading(string text) => console.Human.MarkupLine($"[bold]paas quickstart[/] {Markup.Escape(text)}");
}
