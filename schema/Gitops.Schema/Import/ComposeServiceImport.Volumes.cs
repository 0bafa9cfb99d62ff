using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>
/// volumes, tmpfs, read_only → volumes, readOnly. Named volumes are carried; host paths never
/// are (the container policy refuses them in every spelling), and the engine's socket least of all.
/// </summary>
internal sealed partial class ComposeServiceImport
{
    private static readonly string[] EngineSockets = ["/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock", "/var/run/podman/podman.sock"];

    /// <summary>Prefix of the names given to anonymous volumes (a path without a source).</summary>
    public const string AnonymousVolume = "\0anonymous:";

    private void Volumes()
    {
        if (Get("read_only") is YScalar readOnly && ComposeUnits.Boolean(readOnly.Value) is { } flag)
        {
            _service.ReadOnly = flag;
        }
        else if (Get("read_only") is { } other)
        {
            Drop("read_only", other, "expected true or false");
        }

        if (Get("volumes") is { } node)
        {
            if (node is YSequence list)
            {
                foreach (var item in list.Items)
                {
                    Volume(item);
                }
            }
            else
            {
                Drop("volumes", node, "expected a list of mounts");
            }
        }

        if (Get("tmpfs") is { } tmpfs)
        {
            var paths = tmpfs is YSequence items ? items.Items.Select(i => (i, Text("tmpfs", i))).ToList() : [(tmpfs, Text("tmpfs", tmpfs))];
            foreach (var (at, path) in paths.Where(p => p.Item2 is not null))
            {
                if (path!.Split(':')[0] == "/tmp" && _service.ReadOnly)
                {
                    continue; // readOnly: true gives every replica a /tmp of its own in memory
                }

                Drop("tmpfs", at, _service.ReadOnly
                    ? "paas.yaml's readOnly gives a /tmp in memory and no other; write elsewhere to a named volume"
                    : "paas.yaml has no tmpfs mounts; the container's own file system is writable (readOnly: false)");
            }
        }
    }

    private void Volume(YNode item)
    {
        string? source, target;
        var readOnly = false;
        var type = "volume";
        if (item is YMapping map)
        {
            type = map["type"] is YScalar t ? Text("volumes.type", t) ?? "" : "volume";
            source = map["source"] is { } s ? Text("volumes.source", s) : null;
            target = map["target"] is { } g ? Text("volumes.target", g) : null;
            readOnly = map["read_only"] is YScalar r && ComposeUnits.Boolean(r.Value) == true;
            foreach (var entry in map.Entries.Where(e => e.Key.Value is not ("type" or "source" or "target" or "read_only" or "volume" or "bind" or "tmpfs" or "consistency" or "image")))
            {
                Drop($"volumes.{entry.Key.Value}", entry.Value, $"'{entry.Key.Value}' is not a key of Compose's long volume syntax");
            }

            foreach (var entry in map.Entries.Where(e => e.Key.Value is "volume" or "bind" or "tmpfs" or "consistency" or "image"))
            {
                if (entry.Key.Value == "volume" && type == "volume" && entry.Value is YMapping options && options.Entries.All(o => o.Key.Value == "nocopy"))
                {
                    continue; // nocopy: a volume starts empty either way once it exists; nothing to carry
                }

                if (entry.Key.Value != type || type == "volume")
                {
                    Drop($"volumes.{entry.Key.Value}", entry.Value, "paas mounts a named volume whole, with no mount options");
                }
            }

            if (target is null)
            {
                Drop("volumes", item, "a mount needs target: the path inside the container");
                return;
            }
        }
        else if (item is YScalar { Value: var written } && written.Split(':')[0].Contains('$', StringComparison.Ordinal) && ComposeInterpolation.Apply(written) is { Resolved: false } needs)
        {
            // Immich's ${UPLOAD_LOCATION}:/usr/src/app/upload: the variable names a host directory in .env.
            Drop("volumes", item, $"its source comes from {ImportContext.Variables(needs.Unset)}, which Compose reads from the shell or .env, where it names a host directory, and paas never mounts host paths; keep the data in a named volume (NAME:{written[(written.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(':')[0]})");
            return;
        }
        else if (Text("volumes", item) is { } text)
        {
            var parts = text.Split(':');
            (source, target) = parts.Length == 1 ? (null, parts[0]) : (parts[0], parts[1]);
            var mode = parts.Length > 2 ? parts[2] : "";
            if (parts.Length > 3 || (parts.Length == 1 && !text.StartsWith('/')))
            {
                Drop("volumes", item, "not a mount like name:/path[:ro] or ./dir:/path");
                return;
            }

            readOnly = mode.Split(',').Contains("ro");
            type = source is null ? "volume" : source.StartsWith('.') || source.StartsWith('/') || source.StartsWith('~') ? "bind" : "volume";
        }
        else
        {
            return;
        }

        switch (type)
        {
            case "bind":
                Drop("volumes", item, EngineSockets.Contains(source) || source?.EndsWith(".sock", StringComparison.Ordinal) == true
                    ? $"it hands the container {source}, the engine's API, which controls every container of the host: paas never mounts it (refused by the container policy)"
                    : $"{source} is a path on the host: paas never mounts host paths (refused by the container policy, docs/security.md); put the files in the image (COPY in a Dockerfile), or keep the data in a named volume");
                return;
            case "tmpfs":
                Drop("volumes", item, "paas.yaml has no tmpfs mounts (readOnly: true gives a /tmp in memory)");
                return;
            case "volume":
                break;
            default:
                Drop("volumes", item, $"a {type} mount: paas mounts named volumes only");
                return;
        }

        if (!target.StartsWith('/') || target == "/" || target.Split('/').Contains(".."))
        {
            Drop("volumes", item, $"'{target}' is not an absolute path inside the container other than '/'");
            return;
        }

        if (readOnly)
        {
            Change("volumes", item, "mounted read-write: paas.yaml's volumes have no read-only mode");
        }

        _service.Volumes.Add((source ?? $"{AnonymousVolume}{target}", target));
        if (source is null)
        {
            Change("volumes", item, "an anonymous volume: carried as a named volume of the project, kept across deploys as Compose keeps it across recreations");
        }
    }
}
