using System.Globalization;
using System.Text.RegularExpressions;
using Gitops.Schema.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gitops.Engine.Templates;

/// <summary>
/// Reads one template file. Every error names file:line:column and the field, and a template
/// whose placeholders name nothing it defines, or that would put a credential in its image,
/// command or plain environment, is refused.
/// </summary>
internal static partial class TemplateReader
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>The placeholder every template has: the service's name on the project network.</summary>
    public const string Host = "host";

    private static readonly string[] Keys = ["name", "description", "image", "parameters", "port", "volumes", "env", "generate", "secretEnv", "command", "user", "health", "backup", "exports"];

    public static (ServiceTemplate? Template, IReadOnlyList<string> Errors) Read(string text, string file)
    {
        var errors = new List<string>();
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                return (null, [$"{file}:1:1: a template is one YAML mapping (name, description, image, port, …)"]);
            }

            root = mapping;
        }
        catch (YamlException e)
        {
            return (null, [$"{file}:{e.Start.Line}:{e.Start.Column}: {e.Message}"]);
        }

        var reader = new Fields(file, errors);
        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Where(k => !Keys.Contains(k.Value)))
        {
            reader.Error(key, $"unknown field '{key.Value}'; a template has {string.Join(", ", Keys)}");
        }

        var name = reader.Scalar(root, "name", required: true) ?? "";
        if (name.Length > 0 && !NameGrammar().IsMatch(name))
        {
            reader.Error(root.Children[new YamlScalarNode("name")], $"name '{name}' must be lowercase letters, digits and '-'");
        }

        var parameters = new Dictionary<string, TemplateParameter>(StringComparer.Ordinal);
        if (reader.Mapping(root, "parameters") is { } declared)
        {
            foreach (var (key, value) in declared.Children)
            {
                var parameter = ((YamlScalarNode)key).Value ?? "";
                if (value is not YamlMappingNode fields)
                {
                    reader.Error(value, $"parameters.{parameter}: give {{ default, description }}");
                    continue;
                }

                var fallback = reader.Scalar(fields, "default", required: true, $"parameters.{parameter}.") ?? "";
                if (!TemplateValues.Allowed(fallback))
                {
                    reader.Error(fields, $"parameters.{parameter}.default: '{fallback}' {TemplateValues.Rule}");
                }

                parameters[parameter] = new TemplateParameter(fallback, reader.Scalar(fields, "description", required: false, $"parameters.{parameter}.") ?? "");
            }
        }

        var port = reader.Scalar(root, "port", required: true) is { } portText && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535 ? number : 0;
        if (port == 0 && root.Children.ContainsKey(new YamlScalarNode("port")))
        {
            reader.Error(root.Children[new YamlScalarNode("port")], "port must be a number from 1 to 65535");
        }

        var generate = reader.List(root, "generate") ?? ValueList<string>.Empty;
        var template = new ServiceTemplate
        {
            Name = name,
            Description = reader.Scalar(root, "description", required: true) ?? "",
            Image = reader.Scalar(root, "image", required: true) ?? "",
            Parameters = parameters,
            Port = port,
            Volumes = reader.Map(root, "volumes") ?? ValueMap<string>.Empty,
            Env = reader.Map(root, "env") ?? ValueMap<string>.Empty,
            Generate = generate,
            SecretEnv = reader.Map(root, "secretEnv") ?? ValueMap<string>.Empty,
            Command = reader.List(root, "command"),
            User = reader.Scalar(root, "user", required: false),
            Health = reader.Mapping(root, "health") is { } health ? reader.Health(health) : null,
            Backup = reader.Mapping(root, "backup") is { } backup ? reader.Backup(backup) : null,
            Exports = reader.Map(root, "exports") ?? ValueMap<string>.Empty,
            Source = file,
        };
        CheckPlaceholders(template, reader, root);
        return errors.Count > 0 ? (null, errors) : (template, errors);
    }

    /// <summary>Every placeholder names a parameter, a credential or {host}; credentials only where they become secrets.</summary>
    private static void CheckPlaceholders(ServiceTemplate template, Fields reader, YamlMappingNode root)
    {
        var credentials = template.Generate.ToHashSet(StringComparer.Ordinal);
        var known = template.Parameters.Keys.Concat(credentials).Append(Host).ToHashSet(StringComparer.Ordinal);
        foreach (var clash in template.Parameters.Keys.Where(credentials.Contains))
        {
            reader.Error(root, $"'{clash}' is both a parameter and a generated credential");
        }

        void Check(string field, string? text, bool secretAllowed)
        {
            foreach (var placeholder in TemplateValues.Placeholders(text ?? ""))
            {
                if (!known.Contains(placeholder))
                {
                    reader.Error(root, $"{field}: {{{placeholder}}} is not a parameter ({string.Join(", ", template.Parameters.Keys)}), a generated credential or {{host}}");
                }
                else if (!secretAllowed && credentials.Contains(placeholder))
                {
                    reader.Error(root, $"{field}: the credential {{{placeholder}}} may only be in secretEnv or exports, where it is given as a secret");
                }
            }
        }

        Check("image", template.Image, secretAllowed: false);
        foreach (var (key, value) in template.Env)
        {
            Check($"env.{key}", value, secretAllowed: false);
        }

        foreach (var (index, argument) in (template.Command ?? ValueList<string>.Empty).Index())
        {
            Check($"command[{index}]", argument, secretAllowed: false);
        }

        foreach (var (index, argument) in (template.Health?.Command ?? ValueList<string>.Empty).Index())
        {
            Check($"health.command[{index}]", argument, secretAllowed: false);
        }

        foreach (var (field, command) in new[] { ("dump", template.Backup?.Dump), ("restore", template.Backup?.Restore), ("check", template.Backup?.Check) })
        {
            foreach (var (index, argument) in (command ?? ValueList<string>.Empty).Index())
            {
                Check($"backup.{field}[{index}]", argument, secretAllowed: false);
            }
        }

        foreach (var (key, value) in template.SecretEnv.Concat(template.Exports))
        {
            Check(template.SecretEnv.ContainsKey(key) ? $"secretEnv.{key}" : $"exports.{key}", value, secretAllowed: true);
        }

        foreach (var (volume, path) in template.Volumes.Where(v => !v.Value.StartsWith('/')))
        {
            reader.Error(root, $"volumes.{volume}: '{path}' is not an absolute path");
        }

        foreach (var key in template.SecretEnv.Keys.Where(k => template.Exports.TryGetValue(k, out var exported) && exported != template.SecretEnv[k]))
        {
            reader.Error(root, $"exports.{key} differs from secretEnv.{key}; a variable in both has one value");
        }

        foreach (var key in template.Env.Keys.Intersect(template.SecretEnv.Keys))
        {
            reader.Error(root, $"env.{key} is also in secretEnv; a variable is one or the other");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex NameGrammar();

    /// <summary>Typed reads of a node's fields, each error at the node's position.</summary>
    private sealed class Fields(string file, List<string> errors)
    {
        public void Error(YamlNode node, string message) => errors.Add($"{file}:{node.Start.Line}:{node.Start.Column}: {message}");

        public string? Scalar(YamlMappingNode parent, string key, bool required, string prefix = "")
        {
            if (!parent.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                if (required)
                {
                    Error(parent, $"{prefix}{key} is required");
                }

                return null;
            }

            if (node is YamlScalarNode { Value: { } value })
            {
                return value;
            }

            Error(node, $"{prefix}{key} must be a single value");
            return null;
        }

        public YamlMappingNode? Mapping(YamlMappingNode parent, string key)
        {
            if (!parent.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                return null;
            }

            if (node is YamlMappingNode mapping)
            {
                return mapping;
            }

            Error(node, $"{key} must be a mapping");
            return null;
        }

        public ValueMap<string>? Map(YamlMappingNode parent, string key)
        {
            if (Mapping(parent, key) is not { } mapping)
            {
                return null;
            }

            var items = new List<KeyValuePair<string, string>>();
            foreach (var (name, value) in mapping.Children)
            {
                if (value is YamlScalarNode { Value: { } text })
                {
                    items.Add(KeyValuePair.Create(((YamlScalarNode)name).Value ?? "", text));
                }
                else
                {
                    Error(value, $"{key}.{name}: must be a single value");
                }
            }

            return new ValueMap<string>(items);
        }

        public ValueList<string>? List(YamlMappingNode parent, string key, string prefix = "")
        {
            if (!parent.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                return null;
            }

            if (node is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }))
            {
                return new ValueList<string>(sequence.Children.Select(c => ((YamlScalarNode)c).Value!));
            }

            Error(node, $"{prefix}{key} must be a list of values, none empty");
            return null;
        }

        public TemplateBackup? Backup(YamlMappingNode backup)
        {
            var format = Scalar(backup, "format", required: true, "backup.");
            var dump = List(backup, "dump", "backup.");
            var restore = List(backup, "restore", "backup.");
            if (dump is null || restore is null)
            {
                Error(backup, "backup needs dump (writes the archive to stdout) and restore (reads it from stdin)");
                return null;
            }

            return format is null ? null : new TemplateBackup(format, dump, restore, List(backup, "check", "backup."));
        }

        public TemplateHealth? Health(YamlMappingNode health)
        {
            var command = List(health, "command", "health.");
            if (command is null)
            {
                Error(health, "health.command is required: the command that exits 0 once the service serves");
                return null;
            }

            Duration Read(string key, double fallback)
            {
                if (Scalar(health, key, required: false, "health.") is not { } text)
                {
                    return Duration.FromSeconds(fallback);
                }

                if (Duration.TryParse(text, out var value, out var why))
                {
                    return value;
                }

                Error(health.Children[new YamlScalarNode(key)], $"health.{key}: {why}");
                return Duration.FromSeconds(fallback);
            }

            var retries = 30;
            if (Scalar(health, "retries", required: false, "health.") is { } retriesText)
            {
                if (int.TryParse(retriesText, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 1000)
                {
                    retries = count;
                }
                else
                {
                    Error(health.Children[new YamlScalarNode("retries")], $"health.retries: '{retriesText}' is not a number from 1 to 1000");
                }
            }

            return new TemplateHealth(command, Read("interval", 2), Read("timeout", 5), retries);
        }
    }
}
