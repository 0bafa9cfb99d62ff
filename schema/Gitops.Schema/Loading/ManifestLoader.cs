using System.Text;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Loading;

/// <summary>
/// Reads <c>paas.yaml</c>: size check → safe YAML → bind the records → validate → for each
/// environment, merge its overrides over the base and validate the result. All errors of a file
/// are reported together, sorted by place.
/// </summary>
public static class ManifestLoader
{
    public const string FileName = "paas.yaml";

    /// <summary>Loads a manifest file, or the <c>paas.yaml</c> inside a directory.</summary>
    public static ManifestLoadResult LoadPath(string path, YamlLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= YamlLimits.Default;
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
        {
            return Failed(ErrorCodes.FileNotFound, file, Directory.Exists(path)
                ? $"no {FileName} in directory '{path}'; create one with 'paas init'"
                : $"file '{path}' does not exist");
        }

        // Check the size before reading, so a huge file costs nothing.
        var length = new FileInfo(file).Length;
        if (length > limits.MaxBytes)
        {
            return TooLarge(file, length, limits);
        }

        return LoadText(File.ReadAllText(file, Encoding.UTF8), file, limits);
    }

    public static ManifestLoadResult LoadText(string text, string file, YamlLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= YamlLimits.Default;
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > limits.MaxBytes)
        {
            return TooLarge(file, bytes, limits);
        }

        var (root, yamlErrors) = SafeYamlReader.Read(text, file, limits);
        if (root is null)
        {
            return new ManifestLoadResult(null, ValueMap<Manifest>.Empty, yamlErrors);
        }

        var errors = new List<Diagnostic>();
        var manifest = BindAndValidate(root, file, errors);
        var environments = new List<KeyValuePair<string, Manifest>>();
        if (root is YMapping top)
        {
            foreach (var environment in manifest.Environments.Keys)
            {
                environments.Add(KeyValuePair.Create(environment, BindAndValidate(EffectiveTree(top, environment), file, errors)));
            }
        }

        return new ManifestLoadResult(manifest, new ValueMap<Manifest>(environments), Sorted(errors));
    }

    /// <summary>
    /// The base tree without <c>overrides</c>, with <c>overrides.&lt;env&gt;</c> merged over it.
    /// An override may change services and crons but not add them (that is reported on the base).
    /// </summary>
    private static YNode EffectiveTree(YMapping root, string environment)
    {
        var baseTree = YamlTreeMerge.Without(root, "overrides");
        if (root["overrides"] is not YMapping overrides || overrides[environment] is not YMapping changes)
        {
            return baseTree;
        }

        return YamlTreeMerge.Merge(baseTree, OnlyExisting(OnlyExisting(changes, baseTree, "services"), baseTree, "crons"));
    }

    private static YMapping OnlyExisting(YMapping changes, YMapping baseTree, string section) =>
        changes[section] is YMapping changed
            ? changes with
            {
                Entries = changes.Entries.Select(e => e.Key.Value != section ? e : e with
                {
                    Value = changed with { Entries = changed.Entries.Where(c => (baseTree[section] as YMapping)?[c.Key.Value] is not null).ToList() },
                }).ToList(),
            }
            : changes;

    private static Manifest BindAndValidate(YNode root, string file, List<Diagnostic> errors)
    {
        var map = new SourceMap(file);
        var manifest = ManifestBinder.Bind<Manifest>(root, map, errors);
        ManifestValidator.Validate(manifest, map, errors);
        return manifest;
    }

    /// <summary>An environment's merge repeats the base's findings; each is reported once, in file order.</summary>
    private static List<Diagnostic> Sorted(List<Diagnostic> errors) => errors
        .DistinctBy(e => (e.Code, e.Location, e.Message))
        .OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ThenBy(e => e.Code, StringComparer.Ordinal)
        .ToList();

    private static ManifestLoadResult TooLarge(string file, long bytes, YamlLimits limits) =>
        Failed(ErrorCodes.FileTooLarge, file, $"the file is {bytes:N0} bytes; manifests are limited to {limits.MaxBytes:N0}");

    private static ManifestLoadResult Failed(string code, string file, string message) => ManifestLoadResult.Failure(code, file, message);
}
