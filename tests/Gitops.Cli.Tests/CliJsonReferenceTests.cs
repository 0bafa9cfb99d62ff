using System.Reflection;
using CommandLine;
using Gitops.Cli.Output;

namespace Gitops.Cli.Tests;

/// <summary>docs/cli-json.md, the <c>--output json</c> reference: current, valid, and honest about which commands write JSON.</summary>
public sealed class CliJsonReferenceTests
{
    [Fact]
    public void The_reference_page_is_the_one_made_from_the_documents_the_commands_write()
    {
        var path = Path.Combine(RepositoryRoot.Path, CliJsonReference.File);
        var made = CliJsonReference.Render();
        if (Environment.GetEnvironmentVariable("PAAS_REFRESH_DOCS") == "1")
        {
            File.WriteAllText(path, made);
        }

        Assert.True(File.Exists(path), $"{CliJsonReference.File} is missing: PAAS_REFRESH_DOCS=1 dotnet test tests/Gitops.Cli.Tests --filter CliJsonReference writes it");
        Assert.True(made == File.ReadAllText(path), $"{CliJsonReference.File} is stale: PAAS_REFRESH_DOCS=1 dotnet test tests/Gitops.Cli.Tests --filter CliJsonReference rewrites it");
    }

    [Fact]
    public void Every_command_with_an_action_that_writes_json_names_an_action_the_command_has()
    {
        foreach (var document in CliDocuments.All)
        {
            var command = Assert.Single(CommandTree.Commands, c => c.Name == document.Verb);
            Assert.True(document.Action is null || command.Actions.Contains(document.Action), $"{document.Usage}: paas {document.Verb} has no action {document.Action}");
        }
    }

    [Fact]
    public async Task A_schema_admits_the_document_and_refuses_a_field_the_reference_does_not_list()
    {
        var schema = await NJsonSchema.JsonSchema.FromJsonAsync(Json.Schema(typeof(Commands.EnvDocument)).ToJsonString(), TestContext.Current.CancellationToken);
        var written = System.Text.Json.JsonSerializer.Serialize(new Commands.EnvDocument("shop", "dev", true, false), Json.Options);

        Assert.Empty(schema.Validate(written));
        Assert.NotEmpty(schema.Validate(written.Replace("\"changed\"", "\"token\": \"x\", \"changed\"", StringComparison.Ordinal)));
        Assert.NotEmpty(schema.Validate(written.Replace("true", "\"yes\"", StringComparison.Ordinal)));
    }

    private const string DataPlaceholder = "{data}";

    [Fact]
    public void The_tests_output_check_refuses_a_document_its_schema_does_not_admit()
    {
        string[] args = ["env", "suspend", "shop", "dev", "-o", "json"];
        var written = System.Text.Json.JsonSerializer.Serialize(new Commands.EnvDocument("shop", "dev", true, true), Json.Options);

        Assert.Same(written, JsonOutputCheck.Checked(args, new CliRun(0, written, "")).Output);
        Assert.ThrowsAny<Exception>(() => JsonOutputCheck.Checked(args, new CliRun(0, written.Replace("\"changed\"", "\"secret\": \"x\", \"changed\"", StringComparison.Ordinal), "")));
        Assert.ThrowsAny<Exception>(() => JsonOutputCheck.Checked(args, new CliRun(0, "suspended", "")));
        Assert.ThrowsAny<Exception>(() => JsonOutputCheck.Checked(["destroy", "-o", "json"], new CliRun(0, "{}", ""))); // a command the reference says writes no JSON wrote some
    }

    /// <summary>Each command and action the reference does not list, called as a script would with -o json.</summary>
    public static TheoryData<string[]> CommandsWithoutADocument()
    {
        var data = new TheoryData<string[]>();
        foreach (var type in typeof(ExitCodes).Assembly.GetTypes().Where(t => t.GetCustomAttribute<VerbAttribute>() is not null && t.IsSubclassOf(typeof(Commands.CommonOptions)))) // server and completion take no -o at all
        {
            var command = CommandTree.Commands.Single(c => c.Name == type.GetCustomAttribute<VerbAttribute>()!.Name);
            foreach (var action in command.Actions.Count == 0 ? [null] : command.Actions.Cast<string?>())
            {
                if (!CliDocuments.Writes(command.Name, action))
                {
                    var dataDir = type.GetProperties().Any(p => p.GetCustomAttribute<OptionAttribute>()?.LongName == "data-dir") ? new[] { "--data-dir", DataPlaceholder } : [];
                    data.Add([command.Name, .. action is null ? Array.Empty<string>() : [action], .. RequiredArguments(type), .. dataDir]);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CommandsWithoutADocument))]
    public void A_command_that_writes_no_json_refuses_output_json_before_it_does_anything(string[] command)
    {
        using var data = new TempDirectory();

        var run = CliRun.Of([.. command.Select(a => a == DataPlaceholder ? data.Path : a), "-o", "json"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("writes no JSON document", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path)); // no state opened, nothing written
    }

    /// <summary>A value for each required argument and option after the action, so parsing succeeds and the refusal is what answers.</summary>
    private static IEnumerable<string> RequiredArguments(Type options)
    {
        var properties = options.GetProperties();
        foreach (var value in properties.Select(p => p.GetCustomAttribute<ValueAttribute>()).OfType<ValueAttribute>().Where(v => v.Required && v.MetaName != "ACTION").OrderBy(v => v.Index))
        {
            yield return value.MetaName.ToLowerInvariant();
        }

        foreach (var option in properties.Select(p => p.GetCustomAttribute<OptionAttribute>()).OfType<OptionAttribute>().Where(o => o.Required))
        {
            yield return $"--{option.LongName}";
            yield return "x";
        }
    }
}
