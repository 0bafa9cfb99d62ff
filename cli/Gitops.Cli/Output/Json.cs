using System.ComponentModel;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Gitops.Cli.Output;

/// <summary>
/// The CLI's <c>--output json</c>: one named document per command (<see cref="CliDocuments"/>), written
/// with these options, and the JSON Schema of each made from the same options, so what the reference
/// (docs/cli-json.md) says is what is written.
/// </summary>
public static class Json
{
    public static JsonSerializerOptions Options { get; } = Make();

    /// <summary>Writes a document the reference lists; any other type is a bug caught by the first test that runs the command.</summary>
    public static void Write<T>(CliConsole console, T value)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Raw.WriteLine(JsonSerializer.Serialize(value, Listed<T>(Options)));
    }

    /// <summary>One line of a JSON Lines stream (a followed log): compact, no indentation.</summary>
    public static void WriteLine<T>(CliConsole console, T value)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Raw.WriteLine(JsonSerializer.Serialize(value, Listed<T>(Compact)));
    }

    /// <summary>
    /// The document's JSON Schema as the serializer sees the type. A property the type does not declare
    /// is refused (<c>additionalProperties: false</c>), so a field added without the reference changing
    /// fails the tests that validate output against it.
    /// </summary>
    public static JsonNode Schema(Type type) => Options.GetJsonSchemaAsNode(type, Exporter);

    private static readonly JsonSchemaExporterOptions Exporter = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Transform,
    };

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode node)
    {
        if (node is not JsonObject schema)
        {
            // A type with a converter of its own exports as "anything" (true): the model's lists and maps say what they hold.
            return ModelCollection(context.TypeInfo.Type) is { } known ? Nullable(known, context) : node;
        }

        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && context.TypeInfo.PolymorphismOptions is null && schema.ContainsKey("properties") && !schema.ContainsKey("additionalProperties"))
        {
            schema["additionalProperties"] = false;
        }

        var described = context.PropertyInfo?.AttributeProvider ?? context.TypeInfo.Type;
        if (described.GetCustomAttributes(typeof(DescriptionAttribute), false).FirstOrDefault() is DescriptionAttribute d && !schema.ContainsKey("description"))
        {
            schema.Insert(0, "description", d.Description);
        }

        return schema;
    }

    /// <summary>The schema's own <c>ValueList&lt;T&gt;</c> (a JSON array) and <c>ValueMap&lt;T&gt;</c> (a JSON object of T), which serialize through converters.</summary>
    private static JsonObject? ModelCollection(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var item = type.GetGenericArguments()[0];
        return definition == typeof(Gitops.Schema.Model.ValueList<>) ? new JsonObject { ["type"] = "array", ["items"] = Schema(item) }
            : definition == typeof(Gitops.Schema.Model.ValueMap<>) ? new JsonObject { ["type"] = "object", ["additionalProperties"] = Schema(item) }
            : null;
    }

    private static JsonObject Nullable(JsonObject schema, JsonSchemaExporterContext context)
    {
        if (context.PropertyInfo is { } property && property.IsGetNullable)
        {
            schema["type"] = new JsonArray(schema["type"]!.GetValue<string>(), "null");
        }

        return schema;
    }

    /// <summary>The options to write <typeparamref name="T"/> with, when the reference lists it; any other type is a bug the first test running the command finds.</summary>
    private static JsonSerializerOptions Listed<T>(JsonSerializerOptions options) => CliDocuments.Types.Contains(typeof(T))
        ? options
        : throw new InvalidOperationException($"{typeof(T).Name} is not in CliDocuments: every -o json document is named there, with its schema in docs/cli-json.md");

    private static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    private static JsonSerializerOptions Make()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }
}
