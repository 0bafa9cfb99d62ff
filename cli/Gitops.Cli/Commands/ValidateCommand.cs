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
            Json.Write(console, new
            {
                path = options.Path,
                valid = result.IsValid,
                project = result.Manifest?.Project,
                environments = result.Environments.Keys,
                services = result.Manifest?.Services.Keys ?? [],
                crons = result.Manifest?.Crons.Keys ?? [],
                errors = result.Errors.Select(e => new
                {
                    file = e.Location.File,
                    line = e.Location.Line,
                    column = e.Location.Column,
                    code = e.Code,
                    message = e.Message,
                    path = e.Path,
                }),
            });
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
