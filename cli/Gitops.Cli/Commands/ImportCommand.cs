using System.ComponentModel;
using System.Text;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Schema.Import;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("import", HelpText = "Write a paas.yaml from a Compose file, and list every Compose key it could not carry over and why.")]
public sealed class ImportOptions : CommonOptions
{
    [Value(0, MetaName = "COMPOSE_FILE", HelpText = "The Compose file. Default: compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml in the current directory.")]
    public string? File { get; set; }

    [Option("project", HelpText = "Project name. Default: Compose's name:, else the Compose file's directory name.")]
    public string? Project { get; set; }

    [Option("out", HelpText = "Where to write paas.yaml (a file or a directory). Default: next to the Compose file.")]
    public string? Out { get; set; }

    [Option("force", HelpText = "Overwrite an existing paas.yaml.")]
    public bool Force { get; set; }
}

/// <summary>Reads the Compose file, has <see cref="ComposeImport"/> translate it, writes paas.yaml and says what was not carried over.</summary>
public static class ImportCommand
{
    /// <summary>The names Compose itself looks for, in its order.</summary>
    public static readonly IReadOnlyList<string> DefaultFiles = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    public static int Run(ImportOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var compose = options.File ?? DefaultFiles.FirstOrDefault(File.Exists);
        if (compose is null || !File.Exists(compose))
        {
            return Fail(console, options, compose is null
                ? $"no Compose file here ({string.Join(", ", DefaultFiles)}); name one: paas import FILE"
                : $"'{compose}' does not exist");
        }

        if (options.Project is { } project && !Grammar.Name().IsMatch(project))
        {
            return Fail(console, options, $"project name '{project}' must be lower-case letters, digits and '-', start with a letter, at most 63 characters");
        }

        var composeDirectory = Path.GetDirectoryName(Path.GetFullPath(compose))!;
        var output = options.Out is null ? Path.Combine(composeDirectory, "paas.yaml")
            : Directory.Exists(options.Out) ? Path.Combine(options.Out, "paas.yaml")
            : options.Out;
        if (File.Exists(output) && !options.Force)
        {
            return Fail(console, options, $"{output} already exists; nothing was written (use --force to overwrite)");
        }

        if (new FileInfo(compose).Length > YamlLimits.Default.MaxBytes)
        {
            return Fail(console, options, $"{compose} is larger than {YamlLimits.Default.MaxBytes:N0} bytes");
        }

        var outputDirectory = Path.GetDirectoryName(Path.GetFullPath(output))!;
        var result = ComposeImport.Import(File.ReadAllText(compose, Encoding.UTF8), compose, new ComposeImportOptions
        {
            Project = options.Project,
            FallbackProject = Path.GetFileName(composeDirectory),
            ComposeDirectory = Path.GetRelativePath(outputDirectory, composeDirectory).Replace('\\', '/'),
            ManifestFile = output,
            ReadFile = name => ReadBeside(composeDirectory, name),
        });
        if (!result.Succeeded)
        {
            if (options.Output == OutputFormat.Json)
            {
                Json.Write(console, ImportDocument.Failed([.. result.Errors.Select(e => new ValidateDocument.Error(e.Location.File, e.Location.Line, e.Location.Column, e.Code, e.Message, e.Path))], null));
            }
            else
            {
                DiagnosticPrinter.Print(console with { Human = ErrorConsole(console) }, result.Errors);
            }

            return ExitCodes.InvalidInput;
        }

        Directory.CreateDirectory(outputDirectory);
        File.WriteAllText(output, result.Manifest, new UTF8Encoding(false));
        Report(console, options, output, result);
        return ExitCodes.Ok;
    }

    private static void Report(CliConsole console, ImportOptions options, string output, ComposeImportResult result)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new ImportDocument(
                output,
                result.Project,
                ComposeImport.Environment,
                result.Services,
                [.. result.NotCarried.Select(Note)],
                [.. result.Changed.Select(Note)],
                [.. result.Secrets.Select(s => new ImportDocument.Secret(s.Service, s.Name))],
                [],
                null));
            return;
        }

        console.Human.MarkupLine($"[green]wrote[/] {Markup.Escape(output)}: project [bold]{result.Project}[/], services {string.Join(", ", result.Services)}, environment {ComposeImport.Environment}");
        Section(console, "not carried over", result.NotCarried.ToList());
        Section(console, "carried with a change", result.Changed.ToList());
        var secrets = result.Secrets.Select(s => s.Name).Distinct(StringComparer.Ordinal).ToList();
        if (secrets.Count > 0)
        {
            console.Human.MarkupLine($"before the first deploy, store {(secrets.Count == 1 ? "its secret" : $"its {secrets.Count} secrets")} (each value on stdin):");
            foreach (var secret in secrets)
            {
                console.Human.MarkupLine($"  paas secrets set {result.Project} {secret}");
            }
        }

        var directory = Path.GetDirectoryName(output) is { Length: > 0 } d ? d : ".";
        console.Human.MarkupLine($"next: [bold]paas apply {Markup.Escape(directory)} --env {ComposeImport.Environment}[/]");
    }

    private static void Section(CliConsole console, string title, List<ComposeNote> notes)
    {
        if (notes.Count == 0)
        {
            return;
        }

        console.Human.MarkupLine($"{title} ({notes.Count}):");
        foreach (var note in notes)
        {
            console.Human.MarkupLine($"  {Markup.Escape(note.ToString())}");
        }
    }

    private static ImportDocument.Note Note(ComposeNote note) =>
        new(note.Service, note.Key, note.Value, note.Reason, note.Location.Line, note.Location.Column);

    /// <summary>An env file or .env named in the Compose file, relative to its directory; null when missing or too large to be one.</summary>
    private static string? ReadBeside(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        var file = new FileInfo(path);
        return file.Exists && file.Length <= YamlLimits.Default.MaxBytes ? File.ReadAllText(path, Encoding.UTF8) : null;
    }

    private static IAnsiConsole ErrorConsole(CliConsole console) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(console.Error),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
    });

    private static int Fail(CliConsole console, ImportOptions options, string message)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, ImportDocument.Failed([], message));
        }
        else
        {
            console.Error.WriteLine($"paas import: {message}");
        }

        return ExitCodes.InvalidInput;
    }
}

[Description("paas import: the paas.yaml written, each Compose key not carried over or carried with a change, and the secrets to store; or, with nothing written, the errors.")]
public sealed record ImportDocument(
    [property: Description("the paas.yaml written; null when nothing was")] string? Written,
    string? Project,
    string? Environment,
    IReadOnlyList<string> Services,
    IReadOnlyList<ImportDocument.Note> NotCarried,
    IReadOnlyList<ImportDocument.Note> Changed,
    [property: Description("names to store with paas secrets set before the first deploy; their values are never copied")] IReadOnlyList<ImportDocument.Secret> Secrets,
    IReadOnlyList<ValidateDocument.Error> Errors,
    string? Error)
{
    public static ImportDocument Failed(IReadOnlyList<ValidateDocument.Error> errors, string? error) => new(null, null, null, [], [], [], [], errors, error);

    [Description("A Compose key and why it was not carried over, or how it was changed, with its line and column in the Compose file.")]
    public sealed record Note(string Service, string Key, string? Value, string Reason, int Line, int Column);

    public sealed record Secret(string Service, string Name);
}
