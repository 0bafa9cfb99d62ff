using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Schema.Loading;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("validate", HelpText = "Check a paas.yaml (a file, or a directory holding one) and report every error with file:line:column.")]
public sealed class ValidateOptions : CommonOptions
{
    [Value(0, MetaName = "PATH", Default = ".", HelpText = "A paas.yaml file or a directory holding one.")]
    public string Path { get; set; } = ".";
}

public static class ValidateCommand
{
    public static int Run(ValidateOptions options, CliConsole console)
    {
        var result = ManifestLoader.LoadPath(options.Path);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new ValidateDocument(
                options.Path,
                result.IsValid,
                result.Manifest?.Project,
                [.. result.Environments.Keys],
                [.. result.Manifest?.Services.Keys ?? []],
                [.. result.Manifest?.Crons.Keys ?? []],
                [.. result.Errors.Select(e => new ValidateDocument.Error(e.Location.File, e.Location.Line, e.Location.Column, e.Code, e.Message, e.Path))]));
        }
        else if (result.IsValid)
        {
            var manifest = result.Manifest!;
            console.Human.MarkupLine(
                $"[green]valid[/] {Markup.Escape(options.Path)}: project [bold]{manifest.Project}[/], " +
                $"{Count(manifest.Services.Count, "service")}, {Count(manifest.Crons.Count, "cron")}, " +
                $"environments {string.Join(", ", result.Environments.Keys)}");
        }
        else
        {
            DiagnosticPrinter.Print(console, result.Errors);
        }

        return result.IsValid ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}

[Description("paas validate: whether the manifest is valid, what it declares, and each error with its place.")]
public sealed record ValidateDocument(
    string Path,
    bool Valid,
    [property: Description("null when the manifest did not load far enough to name it")] string? Project,
    IReadOnlyList<string> Environments,
    IReadOnlyList<string> Services,
    IReadOnlyList<string> Crons,
    IReadOnlyList<ValidateDocument.Error> Errors)
{
    [Description("One problem, where it is (file:line:column) and which field (path).")]
    public sealed record Error(string File, int Line, int Column, string Code, string Message, string Path);
}
