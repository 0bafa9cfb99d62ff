using System.Text.Json;
using System.Text.Json.Serialization;
using Gitops.Schema.Model;
using Namotion.Reflection;
using NJsonSchema;
using NJsonSchema.Generation;
using NJsonSchema.Generation.TypeMappers;

namespace Gitops.Schema.JsonSchema;

/// <summary>
/// Generates the JSON Schema of <c>paas.yaml</c> from the manifest records, so editors
/// (yaml-language-server) complete and check the same fields the loader reads.
/// </summary>
public static class ManifestJsonSchema
{
    public const string Id = "https://paas.dev/schemas/paas.schema.json";

    public static string Generate()
    {
        var settings = new SystemTextJsonSchemaGeneratorSettings
        {
            SerializerOptions = new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
            },
            SchemaType = SchemaType.JsonSchema,
            DefaultReferenceTypeNullHandling = ReferenceTypeNullHandling.NotNull,
            GenerateAbstractProperties = false,
            FlattenInheritanceHierarchy = true,
            AlwaysAllowAdditionalObjectProperties = false,
            TypeMappers =
            {
                ScalarMapper<Duration>("A duration: a number with a unit (ms, s, m, h, d), e.g. 30s or 1h30m."),
                ScalarMapper<ByteSize>("A memory size: 256Mi, 1Gi (binary), 500M (decimal) or bytes."),
                ScalarMapper<CpuQuantity>("CPU: cores (0.5, 2) or millicores (500m)."),
            },
            SchemaProcessors = { new ValueMapProcessor() },
        };

        var schema = NJsonSchema.JsonSchema.FromType<Manifest>(settings);
        schema.Id = Id;
        schema.Title = "paas.yaml";
        return schema.ToJson().ReplaceLineEndings("\n") + "\n";
    }

    private static PrimitiveTypeMapper ScalarMapper<T>(string description) where T : IScalarValue<T> =>
        new(typeof(T), schema =>
        {
            schema.Description = description;
            // A pattern constrains only strings and a minimum only numbers, so one schema holds both.
            schema.Type = T.AcceptsNumber ? JsonObjectType.String | JsonObjectType.Number : JsonObjectType.String;
            schema.Pattern = T.Pattern;
            if (T.AcceptsNumber)
            {
                schema.Minimum = 0;
            }
        });

    /// <summary>
    /// NJsonSchema sees <see cref="ValueMap{T}"/> as a list; it is a YAML mapping of names to values,
    /// so its schema becomes an object whose additional properties are the values. Maps marked
    /// <see cref="AnyScalarAttribute"/> also accept numbers and booleans.
    /// </summary>
    private sealed class ValueMapProcessor : ISchemaProcessor
    {
        public void Process(SchemaProcessorContext context)
        {
            foreach (var property in context.ContextualType.Type.GetProperties())
            {
                var type = property.PropertyType;
                var key = Binding.ManifestBinder.KeyOf(property);
                if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(ValueMap<>)
                    || !context.Schema.Properties.TryGetValue(key, out var schema) || schema.Item is null)
                {
                    continue;
                }

                schema.Type = JsonObjectType.Object;
                schema.AdditionalPropertiesSchema = schema.Item;
                schema.AllowAdditionalProperties = true;
                schema.Item = null;
                if (property.GetCustomAttributes(typeof(AnyScalarAttribute), false).Length > 0)
                {
                    schema.AdditionalPropertiesSchema.Type = JsonObjectType.String | JsonObjectType.Number | JsonObjectType.Boolean;
                }
            }
        }
    }
}
