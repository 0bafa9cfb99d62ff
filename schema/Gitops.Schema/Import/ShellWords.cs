using System.Text;

namespace Gitops.Schema.Import;

/// <summary>
/// Splits a Compose string command into arguments the way Compose does (go-shellwords: blanks
/// separate, quotes group, a backslash escapes the next character outside single quotes), without
/// a shell. Strict where Compose is silent: an operator only a shell understands (<c>&amp;&amp;</c>,
/// <c>|</c>, <c>;</c>, redirections, <c>$( )</c>, backquotes) is refused, where Compose would cut the
/// command at it and run the first part.
/// </summary>
public static class ShellWords
{
    /// <returns>The arguments, or null with <paramref name="error"/> saying why the text cannot be split safely.</returns>
    public static IReadOnlyList<string>? Split(string text, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        var (escaped, single, quoted, started) = (false, false, false, false);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (escaped)
            {
                word.Append(c);
                (escaped, started) = (false, true);
                continue;
            }

            switch (c)
            {
                case '\\' when !single:
                    escaped = true;
                    continue;
                case ' ' or '\t' or '\r' or '\n' when !single && !quoted:
                    if (started)
                    {
                        words.Add(word.ToString());
                        (word, started) = (new StringBuilder(), false);
                    }

                    continue;
                case '\'' when !quoted:
                    (single, started) = (!single, true);
                    continue;
                case '"' when !single:
                    (quoted, started) = (!quoted, true);
                    continue;
                case ';' or '&' or '|' or '<' or '>' or '(' or ')' or '`' when !single && !quoted:
                    error = $"'{Operator(text, i)}' outside quotes needs a shell, and none runs the command (Compose would cut the command there); write it as a list, e.g. [\"sh\", \"-c\", \"...\"]";
                    return null;
                case '`' when quoted:
                case '$' when !single && i + 1 < text.Length && text[i + 1] == '(':
                    error = "command substitution ($( ) or backquotes) needs a shell, and none runs the command; write it as a list, e.g. [\"sh\", \"-c\", \"...\"]";
                    return null;
                default:
                    word.Append(c);
                    started = true;
                    continue;
            }
        }

        if (escaped || single || quoted)
        {
            error = escaped ? "it ends with a lone backslash" : $"a {(single ? "single" : "double")} quote is never closed";
            return null;
        }

        if (started)
        {
            words.Add(word.ToString());
        }

        error = "";
        return words;
    }

    private static string Operator(string text, int at) =>
        at + 1 < text.Length && text[at + 1] == text[at] && text[at] is '&' or '|' or '>' or '<' ? text.Substring(at, 2) : text[at].ToString();
}
