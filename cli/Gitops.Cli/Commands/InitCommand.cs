using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Schema.JsonSchema;
using Gitops.Schema.Validation;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("init", HelpText = "Write a starter app (paas.yaml, Dockerfiles, code) into a directory.")]
public sealed class InitOptions : CommonOptions
{
    [Option('t', "template", Required = true, HelpText = "Starter: static-site, web-postgres or worker-cron.")]
    public string Template { get; set; } = "";

    [Option("name", HelpText = "Project name. Default: the directory's name.")]
    public string? Name { get; set; }

    [Option("force", HelpText = "Overwrite files that already exist.")]
    public bool Force { get; set; }

    [Value(0, MetaName = "DIR", Default = ".", HelpText = "Directory to write into (created when missing).")]
    public string Directory { get; set; } = ".";
}

public static class InitCommand
{
    public const string SchemaFileName = "paas.schema.json";

    public static int Run(InitOptions options, CliConsole console)
    {
        if (Starters.Find(options.Template) is not { } starter)
        {
            return Fail(console, options, $"no template '{options.Template}'; templates: {string.Join(", ", Starters.Names)}");
        }

        var directory = Path.GetFullPath(options.Directory);
        var project = options.Name ?? ProjectNameFrom(Path.GetFileName(directory.TrimEnd('/')));
        if (!Grammar.Name().IsMatch(project))
        {
            return Fail(console, options, $"project name '{project}' must be lower-case letters, digits and '-', starting with a letter; pass --name");
        }

        var files = starter.Files
            .Select(f => (f.Path, Content: f.Content.Replace("{{project}}", project, StringComparison.Ordinal)))
            .Append((Path: SchemaFileName, Content: ManifestJsonSchema.Generate()))
            .ToList();
        var existing = files.Select(f => f.Path).Where(p => File.Exists(Path.Combine(directory, p))).ToList();
        if (existing.Count > 0 && !options.Force)
        {
            return Fail(console, options, $"{string.Join(", ", existing)} already exist{(existing.Count == 1 ? "s" : "")} in {directory}; nothing was written (use --force to overwrite)");
        }

        foreach (var (path, content) in files)
        {
            var target = Path.Combine(directory, path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new InitDocument(starter.Name, project, directory, [.. files.Select(f => f.Path)], null));
        }
        else
        {
            console.Human.MarkupLine($"[green]created[/] project [bold]{project}[/] from template {starter.Name} in {Markup.Escape(directory)}:");
            foreach (var (path, _) in files)
            {
                console.Human.MarkupLine($"  {Markup.Escape(path)}");
            }

            console.Human.MarkupLine($"next: [bold]paas validate {Markup.Escape(options.Directory)}[/]");
        }

        return ExitCodes.Ok;
    }

    /// <summary>A directory name made into a project name: lower case, other characters to '-'.</summary>
    public static string ProjectNameFrom(string directoryName)
    {
        var name = new string(directoryName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return name.Length > 63 ? name[..63].TrimEnd('-') : name;
    }

    private static int Fail(CliConsole console, InitOptions options, string message)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new InitDocument(null, null, null, [], message));
        }
        else
        {
            console.Error.WriteLine($"paas init: {message}");
        }

        return ExitCodes.InvalidInput;
    }
}

[Description("paas init: the files written from a template, or the error (nothing written).")]
public sealed record InitDocument(string? Template, string? Project, string? Directory, IReadOnlyList<string> Files, [property: Description("set when nothing was written, and why")] string? Error);
