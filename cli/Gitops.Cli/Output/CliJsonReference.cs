using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gitops.Cli.Output;

/// <summary>docs/cli-json.md: each <c>--output json</c> document with its JSON Schema, made from <see cref="CliDocuments"/>.</summary>
public static class CliJsonReference
{
    public const string File = "docs/cli-json.md";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render()
    {
        var text = new StringBuilder();
        text.Append("""
            # `--output json`: what each command writes

            <!-- Made from cli/Gitops.Cli/Output/CliDocuments.cs; do not edit. A test fails when this page is stale:
                 PAAS_REFRESH_DOCS=1 dotnet test tests/Gitops.Cli.Tests --filter CliJsonReference rewrites it. -->

            Every command takes `-o json` (`--output json`) when it has a document to write, and only then:

            - **Standard output carries the document alone.** Progress and messages for people go to standard error.
            - **Exit codes are the same as in text mode:** 0 done, 1 bad input (a manifest, a name), 2 a wrong command
              line, 3 the operation ran and failed.
            - **A failure writes no document:** its one line (`paas: …`) goes to standard error. The exceptions are
              `validate`, `import` and `init`, whose documents carry their errors.
            - **`-o json` on a command that writes no document is refused** (exit 2) before the command does anything.
              Those are `exec`, `destroy`, `server`, `quickstart`, `login`, `logout`, `approve`, `completion`, and the actions
              not listed below (for example `secrets rm` or `users grant`).
            - **The same command gives the same document** whether it runs against the local state or through a server
              (`paas login`).
            - **Names and values:** fields are camelCase, enumerations camelCase strings, and times ISO 8601 with their
              offset. A field without a value is `null`, never left out.
            - **Secrets never appear:** no secret value, token hash, password or credential is in any document. The one
              exception is `tokens create`, which shows the new token once.

            Each schema below is JSON Schema (draft 2020-12). It is made by System.Text.Json's exporter from the type the
            command serializes, with the serializer's own options. An object admits no field it does not list
            (`additionalProperties: false`), so a new field changes this page. The CLI's tests check what the commands
            write against these schemas.

            | command | document |
            | --- | --- |

            """);
        // Commands that write the same document share one section (apply, restart, rollback).
        var sections = CliDocuments.All.GroupBy(d => d.Type).Select(g => (Heading: string.Join(", ", g.Select(d => d.Usage)), Documents: g.ToList())).ToList();
        foreach (var (heading, documents) in sections)
        {
            foreach (var document in documents)
            {
                text.Append(CultureInfo($"| [`{document.Usage}`](#{Anchor(heading)}) | {Words(document.Summary)} |\n"));
            }
        }

        text.Append("| `paas schema` | paas.yaml's JSON Schema, whatever `-o` says (also in schema/paas.schema.json) |\n");
        foreach (var (heading, documents) in sections)
        {
            var schema = Json.Schema(documents[0].Type).AsObject();
            schema.Remove("description"); // the section's words say it
            text.Append(CultureInfo($"\n## {heading}\n\n{Words(documents[0].Summary)}"));
            text.Append(documents[0].Lines ? " Each line is one JSON document of this schema (JSON Lines).\n" : "\n");
            text.Append("\n```json\n").Append(schema.ToJsonString(Indented)).Append("\n```\n");
        }

        return text.ToString();
    }

    /// <summary>GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped.</summary>
    private static string Anchor(string heading) =>
        new string(heading.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');

    /// <summary>The summary after the command's name (<c>paas plan: what…</c> → <c>What…</c>).</summary>
    private static string Words(string summary) =>
        summary.IndexOf(": ", StringComparison.Ordinal) is var colon and > 0 ? char.ToUpperInvariant(summary[colon + 2]) + summary[(colon + 3)..] : summary;

    private static string CultureInfo(FormattableString value) => FormattableString.Invariant(value);
}
