using System.Text;
using Gitops.Schema.Model;
using Gitops.Schema.Validation;

namespace Gitops.Engine.Sources;

/// <summary>An image a Dockerfile pulls in, after ARG substitution, with the line it is on.</summary>
public sealed record DockerfileImage(int Line, string Instruction, string Reference);

/// <summary>
/// Reads the images a Dockerfile uses — every stage's <c>FROM</c>, <c>COPY --from=</c> and
/// <c>RUN --mount=…from=</c> — with <c>ARG</c> defaults and the manifest's build args substituted,
/// and refuses any that <see cref="ImageReferencePolicy"/> refuses, naming file:line. Earlier stage
/// names (and stage numbers) are fine; a reference whose value cannot be worked out is refused,
/// since nothing could say which image it names.
/// </summary>
public static class DockerfileImages
{
    /// <summary>Checks the Dockerfile of a build context (read from the context itself, following links that stay inside it).</summary>
    /// <param name="alsoRefuse">The platform's own rule for a reference (its registry's other projects), beside <see cref="ImageReferencePolicy"/>.</param>
    public static IReadOnlyList<string> Refusals(BuildContextFiles context, BuildSpec build, Func<string, string?>? alsoRefuse = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(build);
        var file = $"{context.Root}/{build.Dockerfile}";
        var path = RepositoryPath.Normalize(build.Dockerfile);
        for (var hops = 0; path is not null && hops < 40; hops++)
        {
            var entry = context.Entries.FirstOrDefault(e => e.RelativePath == path);
            if (entry?.Open is { } open)
            {
                using var reader = new StreamReader(open());
                return Refusals(file, reader.ReadToEnd(), build.Args, alsoRefuse);
            }

            var folder = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : ".";
            path = entry?.LinkTarget is { } target ? RepositoryPath.Combine(folder, target) : null;
        }

        return [$"{file}: the Dockerfile is not a file in the build context, so the images it uses cannot be checked"];
    }

    /// <returns>One "file:line: message" per refused reference; empty when the Dockerfile may be built.</returns>
    public static IReadOnlyList<string> Refusals(string file, string text, IReadOnlyDictionary<string, string> buildArgs, Func<string, string?>? alsoRefuse = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(buildArgs);
        var errors = new List<string>();
        var stages = new List<string>();
        var globals = new Dictionary<string, string?>(StringComparer.Ordinal);
        Dictionary<string, string?>? stage = null; // Docker's scoping: FROM sees the ARGs above the first FROM; a stage sees its own, and a global one only once it declares it again
        foreach (var (line, instruction, arguments) in Instructions(text))
        {
            var scope = stage ?? globals;
            switch (instruction)
            {
                case "ARG":
                    foreach (var (name, value) in ArgDeclarations(arguments))
                    {
                        scope[name] = buildArgs.TryGetValue(name, out var given) ? given
                            : value is not null ? TrySubstitute(value, scope)
                            : stage is not null ? globals.GetValueOrDefault(name) : null;
                    }

                    break;
                case "FROM":
                    var words = Words(arguments).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                    Check(line, "FROM", words.FirstOrDefault() ?? "", globals, stages, errors, file, alsoRefuse);
                    stages.Add(words.Count >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2].ToLowerInvariant() : "");
                    stage = new Dictionary<string, string?>(StringComparer.Ordinal);
                    break;
                case "COPY" or "ADD":
                    foreach (var flag in Flags(arguments).Where(w => w.StartsWith("--from=", StringComparison.OrdinalIgnoreCase)))
                    {
                        Check(line, $"{instruction} --from", flag["--from=".Length..], scope, stages, errors, file, alsoRefuse);
                    }

                    break;
                case "RUN":
                    foreach (var mount in Flags(arguments).Where(w => w.StartsWith("--mount=", StringComparison.OrdinalIgnoreCase)))
                    {
                        foreach (var from in mount["--mount=".Length..].Split(',').Where(o => o.StartsWith("from=", StringComparison.OrdinalIgnoreCase)))
                        {
                            Check(line, "RUN --mount from", from["from=".Length..], scope, stages, errors, file, alsoRefuse);
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        return errors;
    }

    private static void Check(int line, string what, string raw, IReadOnlyDictionary<string, string?> args, List<string> stages, List<string> errors, string file, Func<string, string?>? alsoRefuse)
    {
        string reference;
        try
        {
            reference = Substitute(raw, args);
        }
        catch (FormatException e)
        {
            errors.Add($"{file}:{line}: {what} {raw}: {e.Message}; the platform checks which image a build uses before it runs, so the value must be known");
            return;
        }

        if (reference == "scratch" || stages.Contains(reference.ToLowerInvariant(), StringComparer.Ordinal)
            || (what != "FROM" && int.TryParse(reference, out var index) && index >= 0 && index < stages.Count))
        {
            return; // an earlier stage (only earlier ones exist yet)
        }

        if ((ImageReferencePolicy.Refusal(reference) ?? alsoRefuse?.Invoke(reference)) is { } refusal)
        {
            errors.Add($"{file}:{line}: {what} {raw}{(raw == reference ? "" : $" (= {reference})")}: {refusal}");
        }
    }

    private static string? TrySubstitute(string value, IReadOnlyDictionary<string, string?> args)
    {
        try
        {
            return Substitute(Unquote(value), args);
        }
        catch (FormatException)
        {
            return null; // refused where it is used
        }
    }

    /// <summary>The flags before the first argument (--from=…, --mount=…).</summary>
    private static IEnumerable<string> Flags(string arguments) => Words(arguments).TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal));

    /// <summary>$NAME, ${NAME}, ${NAME:-default}, ${NAME:+alternative}; anything else, or a name without a value, cannot be resolved.</summary>
    private static string Substitute(string text, IReadOnlyDictionary<string, string?> args)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' || text[i] is '"' or '\'')
            {
                throw new FormatException("quotes and escapes are not resolved here");
            }

            if (text[i] != '$')
            {
                result.Append(text[i]);
                continue;
            }

            string name;
            string? modifier = null;
            string? word = null;
            if (i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOf('}', i + 2);
                if (end < 0)
                {
                    throw new FormatException("an unclosed ${");
                }

                var inner = text[(i + 2)..end];
                var colon = inner.IndexOf(':', StringComparison.Ordinal);
                name = colon < 0 ? inner : inner[..colon];
                if (colon >= 0)
                {
                    modifier = inner.Length > colon + 1 ? inner[colon + 1].ToString() : "";
                    word = inner.Length > colon + 2 ? inner[(colon + 2)..] : "";
                }

                i = end;
            }
            else
            {
                var start = i + 1;
                var end = start;
                while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
                {
                    end++;
                }

                name = text[start..end];
                i = end - 1;
            }

            if (!Grammar.EnvKey().IsMatch(name) || modifier is not (null or "-" or "+") || word?.Contains('$', StringComparison.Ordinal) == true)
            {
                throw new FormatException($"'{text}' uses a substitution the platform does not resolve");
            }

            var value = args.GetValueOrDefault(name);
            var resolved = modifier switch
            {
                "-" => string.IsNullOrEmpty(value) ? word : value,
                "+" => string.IsNullOrEmpty(value) ? "" : word,
                _ => value ?? throw new FormatException($"ARG {name} has no value (no default, no build arg)"),
            };
            result.Append(resolved);
        }

        return result.ToString();
    }

    private static IEnumerable<(string Name, string? Value)> ArgDeclarations(string arguments) =>
        Words(arguments).Select(w => w.Split('=', 2)).Select(p => (p[0], p.Length == 2 ? p[1] : null));

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;

    private static List<string> Words(string arguments) => [.. arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>Instructions with their first line number: parser directives read, continuation lines joined, comments dropped.</summary>
    private static IEnumerable<(int Line, string Instruction, string Arguments)> Instructions(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var escape = '\\';
        var directives = true;
        var pending = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (directives && trimmed.StartsWith('#') && trimmed.TrimStart('#').Trim().StartsWith("escape=", StringComparison.OrdinalIgnoreCase))
            {
                var value = trimmed.TrimStart('#').Trim()["escape=".Length..].Trim();
                escape = value.Length == 1 ? value[0] : escape;
                continue;
            }

            directives = directives && trimmed.StartsWith('#');
            if (trimmed.StartsWith('#') || (pending.Length == 0 && trimmed.Length == 0))
            {
                continue; // comments may sit between continuation lines too
            }

            if (pending.Length == 0)
            {
                start = i + 1;
            }

            var continued = trimmed.Length > 0 && trimmed[^1] == escape;
            pending.Append(continued ? trimmed[..^1] : trimmed).Append(' ');
            if (continued && i + 1 < lines.Length)
            {
                continue;
            }

            var instruction = pending.ToString().Trim();
            pending.Clear();
            var space = instruction.IndexOfAny([' ', '\t']);
            yield return space < 0
                ? (start, instruction.ToUpperInvariant(), "")
                : (start, instruction[..space].ToUpperInvariant(), instruction[(space + 1)..].Trim());
        }
    }
}
