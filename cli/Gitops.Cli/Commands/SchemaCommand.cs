using CommandLine;
using Gitops.Schema.JsonSchema;

namespace Gitops.Cli.Commands;

[Verb("schema", HelpText = "Print the JSON Schema of paas.yaml (for editors: paas schema > paas.schema.json).")]
public sealed class SchemaOptions : CommonOptions;

public static class SchemaCommand
{
    /// <summary>The schema is JSON already, so text and json output are the same document.</summary>
    public static int Run(SchemaOptions options, CliConsole console)
    {
        console.Raw.Write(ManifestJsonSchema.Generate());
        return ExitCodes.Ok;
    }
}
