using System.Globalization;
using System.Text.Json.Nodes;
using Gitops.Schema.JsonSchema;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Tests;

/// <summary>The committed schema is the generated one, and it agrees with the loader on real files.</summary>
public sealed class JsonSchemaTests
{
    private static string CommittedPath => Path.Combine(RepositoryRoot.Path, "schema", "paas.schema.json");

    [Fact]
    public void Committed_schema_matches_the_model()
    {
        var generated = ManifestJsonSchema.Generate();
        var committed = File.Exists(CommittedPath) ? File.ReadAllText(CommittedPath) : "";

        // To refresh it: ./paas schema > schema/paas.schema.json
        Assert.True(generated == committed, "schema/paas.schema.json is stale: run ./paas schema > schema/paas.schema.json");
    }

    public static TheoryData<string> ValidFiles() => new(RepositoryFiles.Manifests());

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public async Task Schema_accepts_every_sample_and_the_example(string relativePath)
    {
        var schema = await NJsonSchema.JsonSchema.FromJsonAsync(ManifestJsonSchema.Generate(), TestContext.Current.CancellationToken);
        var (root, errors) = SafeYamlReader.Read(File.ReadAllText(Path.Combine(RepositoryRoot.Path, relativePath)), relativePath);
        Assert.Empty(errors);

        var problems = schema.Validate(ToJson(root!)!.ToJsonString());

        Assert.Empty(problems.Select(p => $"{p.Path}: {p.Kind}"));
    }

    [Theory]
    [InlineData("version: 1\nproject: shop\nservices:\n  web: { image: a, replica: 2 }\n", "replica")]
    [InlineData("version: 1\nproject: shop\nservices:\n  web: { image: a, health: { interval: 5 } }\n", "interval")]
    [InlineData("version: 1\nproject: shop\nservices:\n  web: { image: a, sandbox: gvisr }\n", "sandbox")]
    [InlineData("version: 1\nservices: {}\n", "project")]
    public async Task Schema_rejects_what_the_loader_rejects(string yaml, string field)
    {
        var schema = await NJsonSchema.JsonSchema.FromJsonAsync(ManifestJsonSchema.Generate(), TestContext.Current.CancellationToken);
        var (root, _) = SafeYamlReader.Read(yaml, "paas.yaml");

        var problems = schema.Validate(ToJson(root!)!.ToJsonString());

        Assert.Contains(problems, p => p.ToString().Contains(field, StringComparison.Ordinal));
        Assert.False(Loading.ManifestLoader.LoadText(yaml, "paas.yaml").IsValid);
    }

    /// <summary>YAML → JSON the way an editor's YAML language server reads plain scalars (YAML 1.2 core).</summary>
    private static JsonNode? ToJson(YNode node) => node switch
    {
        YMapping map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key.Value, ToJson(e.Value)))),
        YSequence list => new JsonArray(list.Items.Select(ToJson).ToArray()),
        YScalar { IsNull: true } => null,
        YScalar { Plain: true, Value: "true" or "false" } s => JsonValue.Create(s.Value == "true"),
        YScalar { Plain: true } s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        YScalar { Plain: true } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YScalar s => JsonValue.Create(s.Value),
        _ => throw new InvalidOperationException(),
    };
}
