using System.Text.RegularExpressions;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>What runs: command and entrypoint, environment and env files.</summary>
internal sealed partial class ComposeServiceImport
{
    /// <summary>
    /// command → command. paas.yaml replaces the image's CMD and cannot replace its ENTRYPOINT, so a
    /// Compose entrypoint is carried as the start of command (run by the image's own entrypoint,
    /// which official images let exec it) and noted.
    /// </summary>
    private void Command()
    {
        var command = Get("command") is { } node ? Arguments("command", node) : null;
        if (Get("entrypoint") is not { } entrypointNode)
        {
            if (command is { Count: 0 })
            {
                Drop("command", Get("command")!, "an empty command clears the image's command in Compose; paas.yaml's command is left out instead, which keeps the image's own");
                command = null;
            }

            _service.Command = command;
            return;
        }

        var entrypoint = Arguments("entrypoint", entrypointNode);
        if (entrypoint is null || (Get("command") is not null && command is null))
        {
            _service.Command = null;
            if (entrypoint is not null)
            {
                Drop("entrypoint", entrypointNode, "left out with the command it runs, which could not be carried");
            }

            return;
        }

        if (entrypoint.Count == 0)
        {
            Drop("entrypoint", entrypointNode, "paas.yaml cannot clear the image's ENTRYPOINT; the command runs through it");
            _service.Command = command is { Count: > 0 } ? command : null;
            return;
        }

        _service.Command = [.. entrypoint, .. command ?? []];
        Change("entrypoint", entrypointNode, $"paas.yaml cannot replace the image's ENTRYPOINT, so command is {ImportContext.Shorten(Flow(_service.Command))}: the image's entrypoint runs it (official images' entrypoints exec their arguments); if this image's does not, give it this ENTRYPOINT in a Dockerfile");
    }

    /// <summary>A list as written, or a string split like Compose does (no shell); null when it cannot be carried (noted).</summary>
    private List<string>? Arguments(string key, YNode node)
    {
        if (node is YSequence list)
        {
            return _context.Texts(list, _compose, key);
        }

        if (node is not YScalar scalar)
        {
            Drop(key, node, "expected a string or a list of arguments");
            return null;
        }

        if (scalar.IsNull)
        {
            return [];
        }

        if (Text(key, node) is not { } text)
        {
            return null;
        }

        if (ShellWords.Split(text, out var error) is not { } words)
        {
            Drop(key, node, error);
            return null;
        }

        return [.. words];
    }

    private static string Flow(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(ManifestWriter.Quote))}]";

    /// <summary>
    /// environment → env. A value Compose would read from where it runs (a name without a value, or
    /// a variable without a default) becomes a secret of that name: its value goes into the
    /// platform's encrypted store, not into Git.
    /// </summary>
    private void Environment()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (Get("environment") is { } environment)
        {
            foreach (var (name, value, at) in Pairs(environment, "environment"))
            {
                if (!Grammar.EnvKey().IsMatch(name))
                {
                    Drop("environment", at, $"'{name}' is not an environment variable name paas.yaml accepts (letters, digits and '_', not starting with a digit)");
                    continue;
                }

                if (!set.Add(name))
                {
                    Drop("environment", at, $"{name} is given twice; the first value is kept");
                    continue;
                }

                if (value is null)
                {
                    Secret(name, at, $"Compose passes it on from the shell that runs it, {ImportContext.Unread}");
                    continue;
                }

                if (value is not YScalar scalar)
                {
                    Drop("environment", value, $"{name}: expected a value");
                    continue;
                }

                var text = _context.Interpolate(scalar, _compose, $"environment.{name}");
                if (text.Error is { } error)
                {
                    Drop($"environment.{name}", value, error);
                }
                else if (text.Unset.Count > 0)
                {
                    Secret(name, value, IsWholeVariable(scalar.Value)
                        ? $"its value is {ImportContext.Variables(text.Unset)}, {ImportContext.Unread}"
                        : $"its value {ImportContext.Quote(scalar.Value)} needs {ImportContext.Variables(text.Unset)}, {ImportContext.Unread}; store the whole value");
                }
                else
                {
                    _service.Env.Add(new ImportedEnv(name, text.Value, LooksSecret(name) && text.Value.Length > 0
                        ? $"in clear text in Git, as in the compose file; better: paas secrets set {_context.Project} {name}, and list it under secrets: instead"
                        : null));
                }
            }
        }

        if (Get("env_file") is { } files)
        {
            EnvFiles(files, set);
        }
    }

    private void Secret(string name, YNode at, string why)
    {
        _service.Secrets.Add(name);
        Note(ComposeNoteKind.Changed, $"environment.{name}", at, $"a secret: {why}; store its value with paas secrets set {_context.Project} {name}");
    }

    private static bool IsWholeVariable(string value) => WholeVariable().IsMatch(value);

    /// <summary>
    /// env_file → secrets. The files are read for their variable names only: their values (often
    /// credentials, kept out of Git with the file) go into the platform's encrypted store, never into paas.yaml.
    /// </summary>
    private void EnvFiles(YNode node, HashSet<string> set)
    {
        var items = node is YSequence list ? list.Items : [node];
        foreach (var item in items)
        {
            var (pathNode, required) = item is YMapping map ? (map["path"], map["required"] is YScalar r ? ComposeUnits.Boolean(r.Value) ?? true : true) : (item, true);
            foreach (var entry in (item as YMapping)?.Entries.Where(e => e.Key.Value is not ("path" or "required" or "format")) ?? [])
            {
                Drop($"env_file.{entry.Key.Value}", entry.Value, $"'{entry.Key.Value}' is not a key of Compose's env_file");
            }

            if (pathNode is null || Text("env_file", pathNode) is not { } path)
            {
                continue;
            }

            var content = _context.Options.ReadFile(path);
            if (content is null)
            {
                Drop("env_file", item, required
                    ? $"{path} does not exist next to the compose file, so its variable names are unknown; give them as secrets by hand"
                    : $"{path} does not exist (Compose skips it: required: false)");
                continue;
            }

            var names = DotEnv.Names(content).Where(n => !set.Contains(n)).ToList();
            var refused = names.Where(n => !Grammar.EnvKey().IsMatch(n)).ToList();
            names = names.Except(refused).Where(set.Add).ToList();
            _service.Secrets.AddRange(names);
            Change("env_file", item, names.Count == 0
                ? $"{path} gives no variable that environment: does not already set"
                : $"{path}'s variables are secrets ({string.Join(", ", names)}): their values stay out of paas.yaml and Git; store each with paas secrets set {_context.Project} NAME (value on stdin)");
            if (refused.Count > 0)
            {
                Drop("env_file", item, $"{string.Join(", ", refused)} in {path} {(refused.Count == 1 ? "is not a name" : "are not names")} paas.yaml accepts (letters, digits and '_', not starting with a digit)");
            }
        }
    }

    private static bool LooksSecret(string name) => SecretName().IsMatch(name);

    [GeneratedRegex("^\\$\\{?[A-Za-z_][A-Za-z0-9_]*([:]?[?][^}]*)?\\}?$")]
    private static partial Regex WholeVariable();

    [GeneratedRegex("(?i)(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE|(^|_)KEY($|_)|API_?KEY|CREDENTIAL)")]
    private static partial Regex SecretName();
}
