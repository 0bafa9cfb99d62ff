using System.Diagnostics;

namespace Gitops.Cli.Tests;

/// <summary>
/// The completion scripts, loaded by the real shells: bash's completion function is called as
/// bash calls it (COMP_WORDS, COMP_CWORD); zsh's runs in zsh with the completion system's
/// builtins (compadd, _describe, _files) replaced by functions that print what they were given.
/// </summary>
public sealed class CompletionTests
{
    [Theory]
    [InlineData("paas re", "registry repo restart")]
    [InlineData("paas repo ", "add forge list rm webhook")]
    [InlineData("paas repo add --cr", "--credential-stdin")]
    [InlineData("paas status -o ", "json text")]
    [InlineData("paas completion ", "--help")]
    public void Bash_completes_commands_then_their_actions_and_options(string line, string expected)
    {
        var words = line.Split(' ');
        var script = CliRun.Of("completion", "bash").Output + $"COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}; _paas; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n";

        Assert.Equal(expected.Split(' '), Shell("bash", script).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Bash_offers_every_command_at_the_first_word()
    {
        var script = CliRun.Of("completion", "bash").Output + "COMP_WORDS=(paas ''); COMP_CWORD=1; _paas; printf '%s\\n' \"${COMPREPLY[@]}\"\n";

        Assert.Equal(CommandTree.Commands.Select(c => c.Name).Concat(["--help", "--version"]).Order(StringComparer.Ordinal), Shell("bash", script).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("paas repo ", "add forge list rm webhook")]
    [InlineData("paas status -o ", "json text")]
    [InlineData("paas users add --r", "--role")]
    public void Zsh_completes_actions_and_options(string line, string expected)
    {
        var words = line.Split(' ');
        var script = Stubs + CliRun.Of("completion", "zsh").Output
            + $"words=({string.Join(' ', words.Select(w => $"'{w}'"))}); CURRENT={words.Length}; _paas\n";

        var offered = Shell("zsh", script).Where(w => w.StartsWith(words[^1], StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        Assert.Equal(expected.Split(' '), offered);
    }

    [Fact]
    public void Zsh_describes_every_command_at_the_first_word()
    {
        var script = Stubs + CliRun.Of("completion", "zsh").Output + "words=(paas ''); CURRENT=2; _paas\n";

        var described = Shell("zsh", script).Select(line => line.Split(':', 2)[0]);

        Assert.Equal(CommandTree.Commands.Select(c => c.Name).Order(StringComparer.Ordinal), described.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unknown_shell_is_a_usage_error()
    {
        var run = CliRun.Of("completion", "fish");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("bash or zsh", run.Error, StringComparison.Ordinal);
    }

    /// <summary>What the completion system would show: compadd's words one per line (its -a takes an array's name), _describe's array entries.</summary>
    private const string Stubs = """
        compdef() { : }
        _files() { : }
        compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; else print -l -- "$@"; fi }
        _describe() { print -l -- ${(P)4} }

        """;

    private static List<string> Shell(string shell, string script)
    {
        var start = new ProcessStartInfo(shell) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(shell == "zsh" ? "-f" : "--norc");
        start.ArgumentList.Add("-s");
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 && error.Length == 0, $"{shell} exited {process.ExitCode}: {error}");
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
