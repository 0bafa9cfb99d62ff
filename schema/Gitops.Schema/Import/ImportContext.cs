using System.Text;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>The notes of one import and the ways every key reads a value: interpolated, with what it needed reported.</summary>
internal sealed class ImportContext(string file, ComposeImportOptions options)
{
    public string File { get; } = file;

    public ComposeImportOptions Options { get; } = options;

    public List<ComposeNote> Notes { get; } = [];

    /// <summary>The project's name, known before the services are read (notes give commands that name it).</summary>
    public string Project { get; set; } = "";

    public ComposeNote Note(ComposeNoteKind kind, string service, string key, YNode at, string reason, string? value = null)
    {
        var note = new ComposeNote(kind, service, key, value, reason, Location(at));
        Notes.Add(note);
        return note;
    }

    /// <summary>Not carried, with the value as written.</summary>
    public ComposeNote Drop(string service, string key, YNode at, string reason) =>
        Note(ComposeNoteKind.NotCarried, service, key, at, reason, Render(at));

    public ComposeNote Change(string service, string key, YNode at, string reason) =>
        Note(ComposeNoteKind.Changed, service, key, at, reason, Render(at));

    public SourceLocation Location(YNode at) => new(File, at.Line, at.Column);

    /// <summary>
    /// A scalar with its variables substituted. A default that was used is noted; a variable
    /// without one, or a value that is not a scalar, is noted as not carried and gives null.
    /// </summary>
    public string? Text(YNode node, string service, string key)
    {
        if (node is not YScalar scalar)
        {
            Drop(service, key, node, $"expected a single value here, found a {(node is YSequence ? "list" : "mapping")}");
            return null;
        }

        var value = Interpolate(scalar, service, key);
        if (value.Error is { } error)
        {
            Drop(service, key, node, error);
            return null;
        }

        if (value.Unset.Count > 0)
        {
            Drop(service, key, node, $"it needs {Variables(value.Unset)}, {Unread}");
            return null;
        }

        return value.Value;
    }

    /// <summary>Substitutes variables and notes the defaults used; the caller decides about unset ones.</summary>
    public Interpolated Interpolate(YScalar scalar, string service, string key)
    {
        if (scalar.IsNull)
        {
            return new Interpolated("", [], [], null);
        }

        var value = ComposeInterpolation.Apply(scalar.Value);
        if (value.Defaulted.Count > 0 && value.Error is null)
        {
            Note(ComposeNoteKind.Changed, service, key, scalar,
                $"written as {Quote(value.Value)}, with {(value.Defaulted.Count == 1 ? "the variable" : "the variables")} unset: paas import reads no variables (not from the shell, not from .env); edit the value in paas.yaml to change it",
                Shorten(scalar.Value));
        }

        return value;
    }

    /// <summary>A list of scalars (each interpolated), or null when any of them cannot be carried.</summary>
    public List<string>? Texts(YSequence list, string service, string key)
    {
        var values = new List<string>();
        foreach (var item in list.Items)
        {
            if (Text(item, service, key) is not { } value)
            {
                return null;
            }

            values.Add(value);
        }

        return values;
    }

    public const string Unread = "which paas import does not read (not from the shell, not from .env)";

    public static string Variables(IReadOnlyList<string> names) =>
        names.Count == 1 ? $"${{{names[0]}}}" : string.Join(", ", names.Select(n => $"${{{n}}}"));

    /// <summary>A node as Compose wrote it, on one line and shortened: what a note shows.</summary>
    public static string Render(YNode node)
    {
        var text = new StringBuilder();
        Append(text, node);
        return Shorten(text.ToString());

        static void Append(StringBuilder text, YNode node)
        {
            switch (node)
            {
                case YScalar scalar:
                    text.Append(scalar.Plain ? scalar.Value : Quote(scalar.Value));
                    break;
                case YSequence list:
                    text.Append('[');
                    for (var i = 0; i < list.Items.Count && text.Length < 200; i++)
                    {
                        text.Append(i > 0 ? ", " : "");
                        Append(text, list.Items[i]);
                    }

                    text.Append(']');
                    break;
                case YMapping map:
                    text.Append('{');
                    for (var i = 0; i < map.Entries.Count && text.Length < 200; i++)
                    {
                        text.Append(i > 0 ? ", " : "").Append(map.Entries[i].Key.Value).Append(": ");
                        Append(text, map.Entries[i].Value);
                    }

                    text.Append('}');
                    break;
            }
        }
    }

    public static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length <= 120 ? text : $"{text[..117]}...";
    }

    public static string Quote(string text) => ManifestWriter.Quote(text);
}
