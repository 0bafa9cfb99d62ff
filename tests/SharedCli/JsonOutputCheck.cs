using System.Collections.Concurrent;
using Gitops.Cli.Output;

namespace Gitops.Tests;

/// <summary>
/// Holds what a command wrote with <c>-o json</c> to the schema docs/cli-json.md gives for it: every test
/// that runs a command that way checks, in passing, that the reference tells the truth.
/// </summary>
public static class JsonOutputCheck
{
    private static readonly ConcurrentDictionary<Type, NJsonSchema.JsonSchema> Schemas = new();

    public static CliRun Checked(IReadOnlyList<string> args, CliRun run)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(run);
        if (!WantsJson(args) || run.Output.Length == 0 || args.Count == 0 || args[0].StartsWith('-') || CliDocuments.AlwaysJson.Contains(args[0]))
        {
            return run;
        }

        var documents = CliDocuments.Of(args[0], args.Count > 1 ? args[1] : null);
        Assert.True(documents.Count > 0, $"paas {string.Join(' ', args)} wrote JSON, and CliDocuments names no document for it\n{run}");
        var problems = new List<string>();
        foreach (var document in documents)
        {
            var schema = Schemas.GetOrAdd(document.Type, type => NJsonSchema.JsonSchema.FromJsonAsync(Json.Schema(type).ToJsonString()).GetAwaiter().GetResult());
            var texts = document.Lines ? run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [run.Output];
            var errors = texts.SelectMany(t => Validate(schema, t)).Select(e => $"{document.Usage}: {e}").ToList();
            if (errors.Count == 0)
            {
                return run;
            }

            problems.AddRange(errors);
        }

        Assert.Fail($"paas {string.Join(' ', args)} wrote JSON its schema in docs/cli-json.md does not admit:\n{string.Join('\n', problems.Take(20))}\n{run}");
        return run;
    }

    private static IEnumerable<string> Validate(NJsonSchema.JsonSchema schema, string text)
    {
        try
        {
            return schema.Validate(text).Select(e => e.ToString());
        }
        catch (Newtonsoft.Json.JsonException e)
        {
            return [$"not JSON: {e.Message}"];
        }
    }

    private static bool WantsJson(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] is "-o" or "--output" && args[i + 1].Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (args[i] == "--")
            {
                return false;
            }
        }

        return args.Any(a => a is "--output=json" or "-ojson");
    }
}
