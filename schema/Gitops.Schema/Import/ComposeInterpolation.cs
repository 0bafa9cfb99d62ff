using System.Text;

namespace Gitops.Schema.Import;

/// <summary>What a value became once its Compose variables were substituted.</summary>
/// <param name="Unset">Variables the value needs and nothing gives (<c>${VAR}</c>, <c>$VAR</c>, <c>${VAR:?error}</c>): Compose would read them from the shell or <c>.env</c>.</param>
/// <param name="Defaulted">The expressions written as their default (<c>${VAR:-default}</c>) or as unset (<c>${VAR:+alternative}</c>).</param>
/// <param name="Error">Why the value is not a valid Compose template, or null.</param>
public sealed record Interpolated(string Value, IReadOnlyList<string> Unset, IReadOnlyList<string> Defaulted, string? Error)
{
    public bool Resolved => Unset.Count == 0 && Error is null;
}

/// <summary>
/// Compose's variable substitution with no variable set: <c>paas import</c> reads neither the
/// shell's environment nor <c>.env</c>, so what it writes does not depend on who ran it, and no
/// value a developer keeps out of Git ends up in paas.yaml. Defaults are substituted; a variable
/// without one is reported (the caller decides: a secret, or a note). <c>$$</c> is a literal <c>$</c>.
/// </summary>
public static class ComposeInterpolation
{
    public static Interpolated Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var unset = new List<string>();
        var defaulted = new List<string>();
        var error = (string?)null;
        var value = Expand(text, unset, defaulted, ref error, depth: 0);
        return new Interpolated(value, unset.Distinct(StringComparer.Ordinal).ToList(), defaulted, error);
    }

    private static string Expand(string text, List<string> unset, List<string> defaulted, ref string? error, int depth)
    {
        if (depth > 8)
        {
            error ??= "variables nest deeper than 8 levels";
            return text;
        }

        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$')
            {
                result.Append(text[i]);
                continue;
            }

            if (i + 1 >= text.Length)
            {
                error ??= "a lone '$' ends the value; write $$ for a literal $";
                return text;
            }

            var next = text[i + 1];
            if (next == '$')
            {
                result.Append('$');
                i++;
            }
            else if (next == '{')
            {
                var close = Closing(text, i + 2);
                if (close < 0)
                {
                    error ??= $"'{text[i..]}' has no closing '}}'";
                    return text;
                }

                result.Append(Braced(text[(i + 2)..close], unset, defaulted, ref error, depth));
                i = close;
            }
            else if (char.IsAsciiLetter(next) || next == '_')
            {
                var end = i + 1;
                while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
                {
                    end++;
                }

                unset.Add(text[(i + 1)..end]);
                i = end - 1;
            }
            else
            {
                error ??= $"'${next}' is not a variable; write $$ for a literal $";
                return text;
            }
        }

        return result.ToString();
    }

    /// <summary>The body of <c>${…}</c>: a name, optionally followed by an operator and a word.</summary>
    private static string Braced(string body, List<string> unset, List<string> defaulted, ref string? error, int depth)
    {
        var end = 0;
        while (end < body.Length && (char.IsAsciiLetterOrDigit(body[end]) || body[end] == '_'))
        {
            end++;
        }

        var name = body[..end];
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            error ??= $"'${{{body}}}' does not start with a variable name";
            return "";
        }

        var rest = body[end..];
        var (op, word) = rest.StartsWith(":-", StringComparison.Ordinal) || rest.StartsWith(":?", StringComparison.Ordinal) || rest.StartsWith(":+", StringComparison.Ordinal)
            ? (rest[..2], rest[2..])
            : rest.Length > 0 ? (rest[..1], rest[1..]) : ("", "");
        switch (op)
        {
            case "":
            case ":?" or "?":
                unset.Add(name);
                return "";
            case ":-" or "-":
                defaulted.Add($"${{{body}}}");
                return Expand(word, unset, defaulted, ref error, depth + 1);
            case ":+" or "+":
                defaulted.Add($"${{{body}}}");
                return "";
            default:
                error ??= $"'${{{body}}}' is not a Compose variable (${{VAR}}, ${{VAR:-default}}, ${{VAR-default}}, ${{VAR:?error}}, ${{VAR:+alternative}})";
                return "";
        }
    }

    /// <summary>The index of the '}' that closes a '${' whose body starts at <paramref name="start"/>, counting nested '${'.</summary>
    private static int Closing(string text, int start)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (text[i] == '}')
            {
                if (depth == 0)
                {
                    return i;
                }

                depth--;
            }
        }

        return -1;
    }
}
