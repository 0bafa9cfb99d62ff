namespace Gitops.Cli;

public enum OutputFormat
{
    /// <summary>For people: colours, tables, source excerpts.</summary>
    Text,

    /// <summary>For scripts: one JSON document on standard output.</summary>
    Json,
}
