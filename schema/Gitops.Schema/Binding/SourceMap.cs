using Gitops.Schema.Diagnostics;

namespace Gitops.Schema.Binding;

/// <summary>
/// Where each bound field was written, by path (<c>services.web.dependsOn[0]</c>), so that checks
/// made on the records can still point at <c>file:line:column</c>.
/// </summary>
public sealed class SourceMap(string file)
{
    private readonly Dictionary<string, (int Line, int Column)> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, int Column)> _keys = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public void AddValue(string path, int line, int column) => _values[path] = (line, column);

    public void AddKey(string path, int line, int column) => _keys[path] = (line, column);

    /// <summary>Whether the field was written in the file (as opposed to defaulted).</summary>
    public bool IsWritten(string path) => _values.ContainsKey(path);

    /// <summary>
    /// The place of the field's value (or of its key, when <paramref name="atKey"/>); a field that
    /// was not written is placed at its nearest written ancestor.
    /// </summary>
    public SourceLocation Locate(string path, bool atKey = false)
    {
        for (var current = path; ; current = Parent(current))
        {
            if ((atKey && _keys.TryGetValue(current, out var at)) || _values.TryGetValue(current, out at))
            {
                return new SourceLocation(File, at.Line, at.Column);
            }

            if (current.Length == 0)
            {
                return new SourceLocation(File, 1, 1);
            }
        }
    }

    public static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Item(string path, int index) => $"{path}[{index}]";

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }
}
