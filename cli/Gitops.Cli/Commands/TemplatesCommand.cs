using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Targets;
using Gitops.Engine.Templates;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("templates", HelpText = "The template catalogue a service names with template: (paas templates list | show NAME).")]
public sealed class TemplatesOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list or show.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "NAME", HelpText = "The template to show.")]
    public string? Name { get; set; }

    [Option("data-dir", HelpText = "Platform data directory, whose templates/ adds templates. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>
/// <c>paas templates list</c>: the built-in templates and the data directory's, with the files
/// left out and why; <c>paas templates show NAME</c>: what a service of it runs, its parameters,
/// credentials and what its dependents receive.
/// </summary>
public static class TemplatesCommand
{
    public static int Run(TemplatesOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var catalogue = TemplateCatalogue.Load(DataDirectory.Resolve(options.DataDir));
        return options.Action switch
        {
            "list" => List(catalogue, options, console),
            "show" when options.Name is { } name => Show(catalogue, name, options, console),
            "show" => throw new CliException(ExitCodes.Usage, "say which template: paas templates show NAME"),
            _ => throw new CliException(ExitCodes.Usage, $"no action '{options.Action}'; use list or show"),
        };
    }

    private static int List(TemplateCatalogue catalogue, TemplatesOptions options, CliConsole console)
    {
        var templates = catalogue.Names.Select(n => catalogue.Templates[n]).ToList();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new TemplateListDocument([.. templates.Select(t => new TemplateListDocument.Entry(t.Name, t.Description, t.Image, t.Source))], catalogue.Errors));
            return catalogue.Errors.Count > 0 ? ExitCodes.InvalidInput : ExitCodes.Ok;
        }

        var table = new Table().AddColumns("TEMPLATE", "IMAGE", "FROM", "DESCRIPTION");
        foreach (var template in templates)
        {
            table.AddRow(Markup.Escape(template.Name), Markup.Escape(Image(template)), Markup.Escape(template.Source), Markup.Escape(template.Description));
        }

        console.Human.Write(table);
        foreach (var error in catalogue.Errors)
        {
            console.Error.WriteLine($"paas: left out: {error}");
        }

        return catalogue.Errors.Count > 0 ? ExitCodes.InvalidInput : ExitCodes.Ok;
    }

    private static int Show(TemplateCatalogue catalogue, string name, TemplatesOptions options, CliConsole console)
    {
        if (catalogue.Find(name) is not { } template)
        {
            throw new CliException(ExitCodes.InvalidInput, $"no template '{name}'; templates: {string.Join(", ", catalogue.Names)}{Gitops.Schema.Diagnostics.Suggestions.Hint(name, catalogue.Names)}");
        }

        var credentials = template.Generate.ToHashSet(StringComparer.Ordinal);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new TemplateDocument(
                template.Name,
                template.Description,
                template.Image,
                template.Source,
                template.Port,
                template.Parameters.ToDictionary(p => p.Key, p => new TemplateDocument.Parameter(p.Value.Default, p.Value.Description), StringComparer.Ordinal),
                template.Volumes.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal),
                [.. template.Generate],
                template.Env.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
                [.. template.SecretEnv.Keys],
                template.Health is { } h ? [.. h.Command] : null,
                [.. template.Exports.Select(e => new TemplateDocument.Export(e.Key, TemplateValues.HoldsAny(e.Value, credentials)))]));
            return ExitCodes.Ok;
        }

        var w = console.Raw;
        w.WriteLine($"{template.Name}: {template.Description}");
        w.WriteLine($"  image    {Image(template)}   (from {template.Source})");
        w.WriteLine($"  port     {template.Port} (private: only the project's services reach it; allowFrom narrows that)");
        foreach (var (volume, path) in template.Volumes)
        {
            w.WriteLine($"  volume   SERVICE-{volume} at {path} (or a volume the service mounts there)");
        }

        if (template.Health is { } health)
        {
            w.WriteLine($"  health   {string.Join(' ', health.Command)} every {health.Interval}");
        }

        w.WriteLine("  parameters (services: { db: { template: " + template.Name + ", parameters: { NAME: VALUE } } }):");
        foreach (var (key, parameter) in template.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteLine($"    {key,-10} default {parameter.Default,-8} {parameter.Description}");
        }

        if (template.Generate.Count > 0)
        {
            w.WriteLine($"  generated once per environment into the encrypted store (never shown): {string.Join(", ", template.Generate.Select(g => $"SERVICE.{g}"))}");
        }

        w.WriteLine("  given to every service that lists it in dependsOn:");
        foreach (var (key, text) in template.Exports)
        {
            w.WriteLine(TemplateValues.HoldsAny(text, credentials) ? $"    {key,-14} (secret)" : $"    {key,-14} {text}");
        }

        return ExitCodes.Ok;
    }

    private static string Image(ServiceTemplate template) =>
        TemplateValues.Fill(template.Image, template.Parameters.ToDictionary(p => p.Key, p => p.Value.Default, StringComparer.Ordinal));
}

[Description("paas templates list: the service templates this platform offers, and any template file it left out and why.")]
public sealed record TemplateListDocument(IReadOnlyList<TemplateListDocument.Entry> Templates, IReadOnlyList<string> Errors)
{
    public sealed record Entry(string Name, string Description, string Image, [property: Description("built-in, or the file it was read from")] string Source);
}

[Description("paas templates show NAME: what a template runs and what a service using it gets.")]
public sealed record TemplateDocument(
    string Name,
    string Description,
    string Image,
    string Source,
    int Port,
    IReadOnlyDictionary<string, TemplateDocument.Parameter> Parameters,
    [property: Description("volume name to the path it is mounted at")] IReadOnlyDictionary<string, string> Volumes,
    [property: Description("credentials generated on the first deploy and stored as secrets")] IReadOnlyList<string> Generated,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> SecretEnv,
    [property: Description("the health check's command, or null")] IReadOnlyList<string>? Health,
    IReadOnlyList<TemplateDocument.Export> Exports)
{
    public sealed record Parameter(string Default, string Description);

    [Description("A value the template gives the services that use it; secret when it holds a generated credential.")]
    public sealed record Export(string Name, bool Secret);
}
