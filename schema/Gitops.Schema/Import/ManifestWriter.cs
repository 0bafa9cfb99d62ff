using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gitops.Schema.Model;

namespace Gitops.Schema.Import;

/// <summary>
/// Writes the imported services as paas.yaml text: the layout of the samples (flow style for short
/// mappings and lists, every string double-quoted so no value changes type), with the notes as
/// comments where they apply.
/// </summary>
internal static partial class ManifestWriter
{
    private static readonly JsonSerializerOptions Strings = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(string project, string environment, IReadOnlyList<string> header, IReadOnlyList<ImportedService> services)
    {
        var text = new StringBuilder();
        foreach (var line in header)
        {
            Comment(text, "", line);
        }

        text.Append("version: 1\n")
            .Append(CultureInfo.InvariantCulture, $"project: {project}\n\n")
            .Append("environments:\n")
            .Append(CultureInfo.InvariantCulture, $"  {environment}: {{ branch: main, target: local }}\n\n")
            .Append("services:\n");
        for (var i = 0; i < services.Count; i++)
        {
            Service(text.Append(i > 0 ? "\n" : ""), services[i]);
        }

        return text.ToString();
    }

    private static void Service(StringBuilder text, ImportedService service)
    {
        text.Append(CultureInfo.InvariantCulture, $"  {service.Name}:\n");
        foreach (var note in service.Notes)
        {
            Comment(text, "    ", $"{(note.Kind == ComposeNoteKind.NotCarried ? "not carried" : "changed")}: {note.Key}{(note.Value is null ? "" : $": {note.Value}")}: {note.Reason}");
        }

        if (service.Build is { } build)
        {
            var fields = new List<string> { $"context: {Quote(build.Context)}" };
            if (build.Dockerfile is { } dockerfile)
            {
                fields.Add($"dockerfile: {Quote(dockerfile)}");
            }

            if (build.Args.Count > 0)
            {
                fields.Add($"args: {{ {string.Join(", ", build.Args.Select(a => $"{Key(a.Key)}: {Quote(a.Value)}"))} }}");
            }

            if (build.Target is { } target)
            {
                fields.Add($"target: {Quote(target)}");
            }

            if (build.Network is { } network)
            {
                fields.Add($"network: {network.ToString().ToLowerInvariant()}");
            }

            Line(text, "build", $"{{ {string.Join(", ", fields)} }}");
        }

        if (service.Image is { } image)
        {
            Line(text, "image", Quote(image));
        }

        if (service.Command is { } command)
        {
            Line(text, "command", List(command));
        }

        if (service.User is { } user)
        {
            Line(text, "user", Quote(user));
        }

        if (service.Port is { } port)
        {
            Line(text, "port", Number(port));
        }

        if (service.Public)
        {
            Line(text, "public", "true");
        }

        if (service.Domains.Count > 0)
        {
            Line(text, "domains", List(service.Domains));
        }

        if (service.Replicas is { } replicas)
        {
            Line(text, "replicas", Number(replicas));
        }

        if (service.Health is { } health)
        {
            Line(text, "health", Health(health));
        }

        if (service.Env.Count > 0)
        {
            text.Append("    env:\n");
            foreach (var (key, value, comment) in service.Env)
            {
                text.Append(CultureInfo.InvariantCulture, $"      {Key(key)}: {Quote(value)}");
                text.Append(comment is null ? "\n" : $"  # {OneLine(comment)}\n");
            }
        }

        if (service.Secrets.Count > 0)
        {
            Line(text, "secrets", List(service.Secrets));
        }

        if (service.Cpu is not null || service.Memory is not null)
        {
            var limits = new List<string>();
            if (service.Cpu is { } cpu)
            {
                limits.Add($"cpu: {Quote(cpu.ToString())}");
            }

            if (service.Memory is { } memory)
            {
                limits.Add($"memory: {memory}");
            }

            Line(text, "resources", $"{{ {string.Join(", ", limits)} }}");
        }

        if (service.Gvisor)
        {
            Line(text, "sandbox", "gvisor");
        }

        if (service.ReadOnly)
        {
            Line(text, "readOnly", "true");
        }

        if (service.ResolvedDependsOn.Count > 0)
        {
            Line(text, "dependsOn", $"[{string.Join(", ", service.ResolvedDependsOn)}]");
        }

        if (service.ResolvedVolumes.Count > 0)
        {
            Line(text, "volumes", $"{{ {string.Join(", ", service.ResolvedVolumes.Select(v => $"{v.Name}: {Quote(v.Path)}"))} }}");
        }

        if (service.Strategy is { } strategy)
        {
            Line(text, "deploy", $"{{ strategy: {strategy.ToString().ToLowerInvariant()} }}");
        }
    }

    private static string Health(ImportedHealth health)
    {
        var fields = new List<string>();
        if (health.Command is { } command)
        {
            fields.Add($"command: {List(command)}");
        }

        if (health.Path is { } path)
        {
            fields.Add($"path: {Quote(path)}");
        }

        if (health.Port is { } port)
        {
            fields.Add($"port: {Number(port)}");
        }

        void Add(string name, Duration? value)
        {
            if (value is { } duration)
            {
                fields.Add($"{name}: {duration}");
            }
        }

        Add("interval", health.Interval);
        Add("timeout", health.Timeout);
        if (health.Retries is { } retries)
        {
            fields.Add($"retries: {Number(retries)}");
        }

        Add("startPeriod", health.StartPeriod);
        return $"{{ {string.Join(", ", fields)} }}";
    }

    private static void Line(StringBuilder text, string key, string value) => text.Append(CultureInfo.InvariantCulture, $"    {key}: {value}\n");

    private static void Comment(StringBuilder text, string indent, string comment) =>
        text.Append(comment.Length == 0 ? "" : $"{indent}# {OneLine(comment)}").Append('\n');

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string List(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(Quote))}]";

    /// <summary>A YAML double-quoted string: JSON's escapes are YAML's, so any text survives as a string.</summary>
    public static string Quote(string text) => JsonSerializer.Serialize(text, Strings);

    /// <summary>A mapping key (environment variable, build argument): plain, unless YAML 1.1 would read it as a boolean or null.</summary>
    private static string Key(string key) => SpecialWord().IsMatch(key) ? Quote(key) : key;

    [GeneratedRegex("^(?i:y|n|yes|no|on|off|true|false|null)$")]
    private static partial Regex SpecialWord();
}
