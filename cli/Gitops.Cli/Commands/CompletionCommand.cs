using System.Text;
using CommandLine;

namespace Gitops.Cli.Commands;

[Verb("completion", HelpText = "Print a shell completion script for bash or zsh: commands, their actions and options. bash: source <(paas completion bash); zsh: paas completion zsh > \"${fpath[1]}/_paas\".")]
public sealed class CompletionOptions
{
    [Value(0, MetaName = "SHELL", Required = true, HelpText = "bash or zsh.")]
    public string Shell { get; set; } = "";
}

/// <summary>
/// Completion scripts made from <see cref="CommandTree"/>: the command at the first word, then
/// that command's action (at the second, when it takes one), then its options; <c>--output</c> completes its formats;
/// anything else falls back to file names.
/// </summary>
public static class CompletionCommand
{
    public static int Run(CompletionOptions options, CliConsole console)
    {
        console.Raw.Write(options.Shell switch
        {
            "bash" => Bash(),
            "zsh" => Zsh(),
            _ => throw new CliException(ExitCodes.Usage, $"no completion for shell '{options.Shell}': bash or zsh"),
        });
        return ExitCodes.Ok;
    }

    private static string Bash()
    {
        var script = new StringBuilder();
        script.Append("# paas completion for bash. Load it now: source <(paas completion bash)\n")
            .Append("# or for every shell: paas completion bash > /etc/bash_completion.d/paas\n")
            .Append("_paas() {\n")
            .Append("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" words=\"\"\n")
            .Append("  if [ \"$COMP_CWORD\" -eq 1 ]; then\n")
            .Append($"    COMPREPLY=($(compgen -W \"{string.Join(' ', CommandTree.Commands.Select(c => c.Name))} --help --version\" -- \"$cur\"))\n")
            .Append("    return\n  fi\n")
            .Append("  case \"$prev\" in --output|-o) COMPREPLY=($(compgen -W \"text json\" -- \"$cur\")); return ;; esac\n")
            .Append("  case \"${COMP_WORDS[1]}\" in\n")
            .Append(Cases(words => $"words=\"{words}\"", "[ \"$COMP_CWORD\" -eq 2 ]"));
        return script.Append("  esac\n")
            .Append("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n")
            .Append("}\n")
            .Append("complete -o default -F _paas paas\n")
            .ToString();
    }

    private static string Zsh()
    {
        var script = new StringBuilder();
        script.Append("#compdef paas\n")
            .Append("# paas completion for zsh. Save it where compinit finds it: paas completion zsh > \"${fpath[1]}/_paas\"\n")
            .Append("# or load it now, after compinit: source <(paas completion zsh)\n")
            .Append("_paas() {\n")
            .Append("  local -a commands words_\n")
            .Append("  commands=(\n");
        foreach (var command in CommandTree.Commands)
        {
            script.Append($"    '{command.Name}:{Quote(FirstSentence(command.Help))}'\n");
        }

        script.Append("  )\n")
            .Append("  if (( CURRENT == 2 )); then\n    _describe -t commands 'paas command' commands\n    return\n  fi\n")
            .Append("  case $words[CURRENT-1] in --output|-o) compadd text json; return ;; esac\n")
            .Append("  case $words[2] in\n")
            .Append(Cases(words => $"words_=({words})", "(( CURRENT == 3 ))"));
        return script.Append("  esac\n")
            .Append("  compadd -a words_\n")
            .Append("  _files\n")
            .Append("}\n")
            .Append("if [ \"$funcstack[1]\" = \"_paas\" ]; then _paas \"$@\"; else compdef _paas paas; fi\n")
            .ToString();
    }

    /// <summary>One case line per command: its options, or at the action's position its actions (both shells' case syntax is the same).</summary>
    private static string Cases(Func<string, string> assign, string atAction) => string.Concat(CommandTree.Commands.Select(command =>
        $"    {command.Name}) {assign(string.Join(' ', command.Options))}"
        + (command.Actions.Count > 0 ? $"; {atAction} && {assign(string.Join(' ', command.Actions))}" : "")
        + " ;;\n"));

    private static string FirstSentence(string help) => help.Split(": ", 2)[0].Split(". ", 2)[0].TrimEnd('.');

    /// <summary>Inside zsh single quotes only the quote itself needs care.</summary>
    private static string Quote(string text) => text.Replace("'", "'\\''", StringComparison.Ordinal);
}
