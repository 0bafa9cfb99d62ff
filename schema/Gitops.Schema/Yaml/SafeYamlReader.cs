using System.Text.RegularExpressions;
using Gitops.Schema.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gitops.Schema.Yaml;

/// <summary>
/// Reads one YAML document into a <see cref="YNode"/> tree, refusing what a manifest never needs
/// and an attacker would use: deep nesting, alias bombs, duplicate keys, custom tags, several
/// documents, non-scalar keys. Works on YamlDotNet's event stream, without recursion.
/// Supports anchors, aliases and <c>&lt;&lt;</c> merge keys, which Compose users rely on.
/// </summary>
public sealed partial class SafeYamlReader
{
    private static readonly HashSet<string> CoreTags = new(StringComparer.Ordinal)
    {
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq", "!",
    };

    private readonly string _file;
    private readonly YamlLimits _limits;
    private readonly List<Diagnostic> _errors = [];
    private readonly Dictionary<string, Sized> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<Frame> _stack = new();
    private Sized? _root;

    private SafeYamlReader(string file, YamlLimits limits) => (_file, _limits) = (file, limits);

    /// <summary>The tree, or null with at least one error.</summary>
    public static (YNode? Root, IReadOnlyList<Diagnostic> Errors) Read(string text, string file, YamlLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new SafeYamlReader(file, limits ?? YamlLimits.Default);
        reader.Run(text);
        var root = reader._errors.Count == 0 ? reader._root?.Node : null;
        return (root, reader._errors);
    }

    private void Run(string text)
    {
        var parser = new Parser(new StringReader(text));
        var documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                if (current is DocumentStart && ++documents > 1)
                {
                    Fail(ErrorCodes.YamlMultipleDocuments, current.Start, "a manifest is one YAML document; remove the second '---' document");
                    return;
                }

                if (!Handle(current))
                {
                    return;
                }
            }
        }
        catch (YamlException e)
        {
            Fail(ErrorCodes.YamlSyntax, e.Start, CleanMessage(e.Message));
            return;
        }

        if (_errors.Count == 0 && (_root is null || _root.Node is YScalar { IsNull: true }))
        {
            _errors.Add(new Diagnostic(ErrorCodes.YamlEmpty, "the manifest is empty; start with 'version: 1'", new SourceLocation(_file, 1, 1)));
        }
    }

    /// <returns>False when reading must stop.</returns>
    private bool Handle(ParsingEvent current)
    {
        if (current is NodeEvent node && !node.Tag.IsEmpty && !CoreTags.Contains(node.Tag.Value))
        {
            return Fail(ErrorCodes.YamlTag, current.Start, $"tag '{node.Tag.Value}' is not allowed; manifests use plain YAML values only");
        }

        switch (current)
        {
            case MappingStart or SequenceStart:
                if (_stack.Count >= _limits.MaxDepth)
                {
                    return Fail(ErrorCodes.YamlTooDeep, current.Start, $"nesting is deeper than {_limits.MaxDepth} levels");
                }

                _stack.Push(new Frame(current is MappingStart, ((NodeEvent)current).Anchor, current.Start));
                return true;
            case MappingEnd or SequenceEnd:
                var frame = _stack.Pop();
                var built = frame.ToNode();
                Register(frame.Anchor, built);
                return Add(built, frame.Start);
            case Scalar scalar:
                var plain = scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty;
                var value = new YScalar(scalar.Value, plain, (int)scalar.Start.Line, (int)scalar.Start.Column);
                Register(scalar.Anchor, new Sized(value, 1));
                return Add(new Sized(value, 1), scalar.Start);
            case AnchorAlias alias:
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    return Fail(ErrorCodes.YamlSyntax, alias.Start, $"alias '*{alias.Value.Value}' refers to no anchor defined before it");
                }

                return Add(target, alias.Start);
            default:
                return true;
        }
    }

    private void Register(AnchorName anchor, Sized node)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }
    }

    private bool Add(Sized node, Mark at)
    {
        if (_stack.Count == 0)
        {
            _root = node;
            return true;
        }

        var parent = _stack.Peek();
        if (parent.Size + node.Size > _limits.MaxExpandedNodes)
        {
            return Fail(ErrorCodes.YamlAliasLimit, at, $"the document expands to more than {_limits.MaxExpandedNodes:N0} nodes (aliases repeated too often)");
        }

        parent.Size += node.Size;
        if (!parent.IsMapping)
        {
            parent.Items.Add(node.Node);
            return true;
        }

        if (parent.PendingKey is null)
        {
            if (node.Node is not YScalar key)
            {
                return Fail(ErrorCodes.YamlComplexKey, at, "keys must be plain words, not lists or mappings");
            }

            parent.PendingKey = key;
            return true;
        }

        var pendingKey = parent.PendingKey;
        parent.PendingKey = null;
        if (pendingKey is { Plain: true, Value: "<<" })
        {
            return AddMergeSource(parent, node.Node, at);
        }

        if (!parent.Keys.Add(pendingKey.Value))
        {
            _errors.Add(new Diagnostic(
                ErrorCodes.YamlDuplicateKey,
                $"key '{pendingKey.Value}' appears twice in this mapping; YAML keeps only one, so say it once",
                new SourceLocation(_file, pendingKey.Line, pendingKey.Column)));
            return true; // Keep reading: report every duplicate at once.
        }

        parent.Entries.Add(new YEntry(pendingKey, node.Node));
        return true;
    }

    private bool AddMergeSource(Frame parent, YNode source, Mark at)
    {
        var sources = source is YSequence list ? list.Items : [source];
        foreach (var item in sources)
        {
            if (item is not YMapping map)
            {
                return Fail(ErrorCodes.YamlSyntax, at, "a '<<' merge key takes a mapping or a list of mappings");
            }

            parent.MergeSources.Add(map);
        }

        return true;
    }

    private bool Fail(string code, Mark at, string message)
    {
        _errors.Add(new Diagnostic(code, message, new SourceLocation(_file, (int)at.Line, (int)at.Column)));
        return false;
    }

    private static string CleanMessage(string message) =>
        PositionPrefix().Replace(message, "").Trim();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    /// <summary>A node with the count of nodes it expands to (aliases included).</summary>
    private sealed record Sized(YNode Node, long Size);

    private sealed class Frame(bool isMapping, AnchorName anchor, Mark start)
    {
        public bool IsMapping { get; } = isMapping;
        public AnchorName Anchor { get; } = anchor;
        public Mark Start { get; } = start;
        public long Size { get; set; } = 1;
        public List<YNode> Items { get; } = [];
        public List<YEntry> Entries { get; } = [];
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public List<YMapping> MergeSources { get; } = [];
        public YScalar? PendingKey { get; set; }

        public Sized ToNode()
        {
            var (line, column) = ((int)Start.Line, (int)Start.Column);
            if (!IsMapping)
            {
                return new Sized(new YSequence(Items, line, column), Size);
            }

            // Explicit keys win over merged ones, and earlier merge sources over later ones.
            foreach (var entry in MergeSources.SelectMany(source => source.Entries))
            {
                if (Keys.Add(entry.Key.Value))
                {
                    Entries.Add(entry);
                }
            }

            return new Sized(new YMapping(Entries, line, column), Size);
        }
    }
}
