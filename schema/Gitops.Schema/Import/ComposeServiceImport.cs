using Gitops.Schema.Model;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>
/// One Compose service → one paas.yaml service. Every key is read: carried, carried with a
/// change, or noted as not carried with why. Keys are read in a fixed order (the image before the
/// command, the port before the health check) whatever order the file has them in.
/// </summary>
internal sealed partial class ComposeServiceImport
{
    private readonly ImportContext _context;
    private readonly string _compose;
    private readonly ImportedService _service;
    private readonly Dictionary<string, YEntry> _keys = new(StringComparer.Ordinal);
    private YNode _node = new YScalar("", true, 1, 1);

    private ComposeServiceImport(ImportContext context, string composeName, string name)
    {
        _context = context;
        _compose = composeName;
        _service = new ImportedService(name, composeName);
    }

    /// <summary>The service, or null when it has nothing to run (no image or build that can be carried): that is noted.</summary>
    public static ImportedService? Import(ImportContext context, string composeName, string name, YNode node)
    {
        var import = new ComposeServiceImport(context, composeName, name);
        if (node is not YMapping map)
        {
            context.Drop(composeName, "services", node, "a service is a mapping of keys (image, build, ports, …); nothing to import");
            return null;
        }

        import._node = map;
        foreach (var entry in map.Entries)
        {
            import._keys[entry.Key.Value] = entry;
        }

        return import.Run();
    }

    private ImportedService? Run()
    {
        if (!Source())
        {
            return null;
        }

        Command();
        Environment();
        Ports();
        Health();
        Volumes();
        Dependencies();
        User();
        OfficialImageUser();
        Deploy();
        Security();
        foreach (var (key, entry) in _keys.Where(k => !ComposeKeys.Read.Contains(k.Key)))
        {
            if (key.StartsWith("x-", StringComparison.Ordinal))
            {
                Note(ComposeNoteKind.NotCarried, key, entry.Key, "an extension field: Compose ignores it too, except through the anchors it defines, which were followed where they are used");
            }
            else if (ComposeKeys.Unsupported.TryGetValue(key, out var reason))
            {
                Drop(key, entry.Value, reason);
            }
            else
            {
                Drop(key, entry.Value, $"'{key}' is not a key of the Compose specification's services{Diagnostics.Suggestions.Hint(key, ComposeKeys.Read.Concat(ComposeKeys.Unsupported.Keys))}");
            }
        }

        return _service;
    }

    /// <summary>build wins over image: Compose builds and only tags the result with image.</summary>
    private bool Source()
    {
        if (Get("build") is { } build && Build(build))
        {
            if (Get("image") is { } named)
            {
                Drop("image", named, "Compose tags the image it builds with this name; paas names its builds itself (and keeps them to this project), so the name is not used");
            }

            return true;
        }

        if (Get("image") is not { } image)
        {
            _context.Note(ComposeNoteKind.NotCarried, _compose, _keys.ContainsKey("build") ? "build" : "image", _node,
                $"the service is left out: it has no image or build paas can use, so there is nothing to run");
            return false;
        }

        if (_context.Text(image, _compose, "image") is not { } reference)
        {
            _context.Note(ComposeNoteKind.NotCarried, _compose, "image", image, "the service is left out: without its image there is nothing to run");
            return false;
        }

        if (ImageReferencePolicy.Refusal(reference) is { } refusal)
        {
            Drop("image", image, $"the service is left out: {refusal}");
            return false;
        }

        _service.Image = reference;
        return true;
    }

    private bool Build(YNode node)
    {
        if (node is YScalar)
        {
            return _context.Text(node, _compose, "build") is { } directory && BuildFrom(directory, null, [], null, null, node);
        }

        if (node is not YMapping map)
        {
            Drop("build", node, "build is a directory or a mapping with context, dockerfile, args");
            return false;
        }

        var (context, dockerfile, target) = (".", (string?)null, (string?)null);
        var args = new List<KeyValuePair<string, string>>();
        BuildNetwork? network = null;
        foreach (var entry in map.Entries)
        {
            var (key, value) = (entry.Key.Value, entry.Value);
            switch (key)
            {
                case "context":
                    if (_context.Text(value, _compose, "build.context") is not { } text)
                    {
                        return false;
                    }

                    context = text;
                    break;
                case "dockerfile":
                    dockerfile = _context.Text(value, _compose, "build.dockerfile");
                    if (dockerfile is null)
                    {
                        return false;
                    }

                    break;
                case "args":
                    BuildArgs(value, args);
                    break;
                case "target":
                    target = _context.Text(value, _compose, "build.target");
                    break;
                case "network":
                    var mode = _context.Text(value, _compose, "build.network");
                    if (mode == "none")
                    {
                        network = BuildNetwork.None;
                    }
                    else if (mode is not null and not "default")
                    {
                        Drop("build.network", value, mode == "host"
                            ? "a build on the host's network could reach everything the host reaches; paas builds on a network of the build's own (a route out, no other container) or none"
                            : "paas builds on a network of the build's own (a route out, no other container) or none");
                    }

                    break;
                case "dockerfile_inline":
                    Drop("build.dockerfile_inline", value, "paas builds from a Dockerfile in the repository: write this one to a file and name it in build.dockerfile");
                    return false;
                default:
                    Drop($"build.{key}", value, BuildKeyReason(key));
                    break;
            }
        }

        return BuildFrom(context, dockerfile, args, target, network, node);
    }

    private static string BuildKeyReason(string key) => key switch
    {
        "cache_from" or "cache_to" or "no_cache" or "pull" => "paas builds with the engine's cache and keeps what it builds to the project; it has no cache settings",
        "secrets" or "ssh" => "paas gives builds no secrets or SSH agent: a build reads only the repository (fetch private dependencies in the app's own build step)",
        "privileged" or "entitlements" => "paas never builds privileged",
        "extra_hosts" => "paas.yaml has no host entries",
        "tags" => "paas tags its builds itself, for this project only",
        "labels" => "paas labels its builds itself",
        "platforms" => "paas builds for the engine's own platform",
        "additional_contexts" => "paas sends one context, the build's directory",
        "shm_size" or "ulimits" or "isolation" => "paas.yaml has no build resource settings; builds get the platform's limits",
        _ => $"'{key}' is not a key of Compose's build",
    };

    private bool BuildFrom(string context, string? dockerfile, List<KeyValuePair<string, string>> args, string? target, BuildNetwork? network, YNode at)
    {
        if (context.Contains("://", StringComparison.Ordinal) || context.StartsWith("git@", StringComparison.Ordinal))
        {
            Drop("build.context", at, "paas builds from the repository paas.yaml is in, not from another Git repository or URL: copy it into this repository, or name its published image in image:");
            return false;
        }

        var inRepository = RepositoryPath.Normalize(context) is { } relative ? RepositoryPath.Combine(_context.Options.ComposeDirectory, relative) : null;
        if (inRepository is null)
        {
            Drop("build.context", at, $"the build directory '{context}' is outside the directory paas.yaml is written in; paas builds only from inside the repository");
            return false;
        }

        if (dockerfile is not null && (dockerfile.StartsWith('/') || RepositoryPath.Combine(inRepository, dockerfile) is null))
        {
            Drop("build.dockerfile", at, $"the Dockerfile '{dockerfile}' is outside the build directory's repository; paas builds only from inside it");
            return false;
        }

        _service.Build = new ImportedBuild(inRepository, dockerfile, args, target, network);
        return true;
    }

    private void BuildArgs(YNode node, List<KeyValuePair<string, string>> args)
    {
        foreach (var (name, value, at) in Pairs(node, "build.args"))
        {
            if (!Grammar.EnvKey().IsMatch(name))
            {
                Drop("build.args", at, $"'{name}' is not a build argument name paas.yaml accepts (letters, digits and '_', not starting with a digit)");
            }
            else if (value is null)
            {
                Drop("build.args", at, $"{name} takes its value from the shell running Compose, {ImportContext.Unread}; give it a value in paas.yaml");
            }
            else if (_context.Text(value, _compose, "build.args") is { } text)
            {
                args.Add(KeyValuePair.Create(name, text));
            }
        }
    }

    /// <summary>
    /// A mapping (<c>NAME: value</c>) or a list (<c>- NAME=value</c>, <c>- NAME</c>) as Compose
    /// writes environments and build arguments; a null value is a name without one.
    /// </summary>
    private IEnumerable<(string Name, YNode? Value, YNode At)> Pairs(YNode node, string key)
    {
        switch (node)
        {
            case YMapping map:
                foreach (var entry in map.Entries)
                {
                    yield return (entry.Key.Value, entry.Value is YScalar { IsNull: true } ? null : entry.Value, entry.Key);
                }

                break;
            case YSequence list:
                foreach (var item in list.Items)
                {
                    if (item is not YScalar scalar)
                    {
                        Drop(key, item, "expected NAME=value");
                        continue;
                    }

                    var equals = scalar.Value.IndexOf('=', StringComparison.Ordinal);
                    yield return equals < 0
                        ? (scalar.Value, null, scalar)
                        : (scalar.Value[..equals], scalar with { Value = scalar.Value[(equals + 1)..], Plain = false }, scalar);
                }

                break;
            default:
                Drop(key, node, "expected a mapping (NAME: value) or a list (- NAME=value)");
                break;
        }
    }

    private YNode? Get(string key) => _keys.TryGetValue(key, out var entry) ? entry.Value : null;

    private void Drop(string key, YNode at, string reason) => _context.Drop(_compose, key, at, reason);

    private void Change(string key, YNode at, string reason) => _context.Change(_compose, key, at, reason);

    private void Note(ComposeNoteKind kind, string key, YNode at, string reason) => _context.Note(kind, _compose, key, at, reason);

    private string? Text(string key, YNode node) => _context.Text(node, _compose, key);
}
