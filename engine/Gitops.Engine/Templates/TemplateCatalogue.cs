using System.Reflection;

namespace Gitops.Engine.Templates;

/// <summary>
/// The templates a <c>template:</c> service may name: the built-in ones (Templates/Catalogue/*.yaml,
/// embedded) and the platform's own, one YAML file each in <c>DATA_DIR/templates</c>. A file there
/// with the name of a built-in one replaces it; a file that does not read is left out and its
/// errors are kept, so <c>paas templates list</c> and a service naming it say why.
/// </summary>
public sealed class TemplateCatalogue
{
    /// <summary>The directory, in the platform's data directory, of the templates it adds.</summary>
    public const string DirectoryName = "templates";

    private const string ResourcePrefix = "templates/";
    private static readonly Lazy<TemplateCatalogue> Embedded = new(() => new TemplateCatalogue(ReadBuiltIn(), []));

    private TemplateCatalogue(IReadOnlyList<ServiceTemplate> templates, IReadOnlyList<string> errors)
    {
        Templates = templates.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Errors = errors;
    }

    /// <summary>The templates shipped with the platform.</summary>
    public static TemplateCatalogue BuiltIn => Embedded.Value;

    public IReadOnlyDictionary<string, ServiceTemplate> Templates { get; }

    /// <summary>Files of the platform's directory that were left out, each error naming file:line:column.</summary>
    public IReadOnlyList<string> Errors { get; }

    public IEnumerable<string> Names => Templates.Keys.Order(StringComparer.Ordinal);

    public ServiceTemplate? Find(string name) => Templates.GetValueOrDefault(name);

    /// <summary>The built-in templates and those of <paramref name="dataDirectory"/>/templates.</summary>
    public static TemplateCatalogue Load(string? dataDirectory)
    {
        var directory = dataDirectory is null ? null : Path.Combine(dataDirectory, DirectoryName);
        if (directory is null || !Directory.Exists(directory))
        {
            return BuiltIn;
        }

        var templates = BuiltIn.Templates.Values.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var read = new FileInfo(file).Length > TemplateReader.MaxBytes
                ? (null, [$"{file}: larger than {TemplateReader.MaxBytes / 1024} KiB"])
                : TemplateReader.Read(File.ReadAllText(file), file);
            if (read.Template is { } template)
            {
                templates[template.Name] = template;
            }

            errors.AddRange(read.Errors);
        }

        return new TemplateCatalogue([.. templates.Values], errors);
    }

    private static List<ServiceTemplate> ReadBuiltIn()
    {
        var assembly = typeof(TemplateCatalogue).Assembly;
        var templates = new List<ServiceTemplate>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var (template, errors) = TemplateReader.Read(Read(assembly, resource), resource);
            // A built-in template that does not read is the platform's bug: said at once, not hidden.
            templates.Add((template ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors))) with { Source = "built-in" });
        }

        return templates;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
