using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Binding;

/// <summary>
/// Binds a YAML tree to the manifest records by their properties: the camelCase property name is
/// the key (the same rule the JSON Schema uses, so the two never disagree). Collects every
/// error instead of stopping at the first, and records where each field was written.
/// </summary>
public sealed class ManifestBinder
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, PropertyInfo>> PropertyCache = new();
    private static readonly NullabilityInfoContext Nullability = new();

    private readonly List<Diagnostic> _errors;
    private readonly SourceMap _map;

    private ManifestBinder(SourceMap map, List<Diagnostic> errors) => (_map, _errors) = (map, errors);

    public static T Bind<T>(YNode root, SourceMap map, List<Diagnostic> errors) where T : class, new() =>
        Bind<T>(root, map, errors, "");

    /// <summary>Binds a part of a larger file (e.g. one target in platform.yaml): <paramref name="path"/> is where it sits, for the map and the errors.</summary>
    public static T Bind<T>(YNode root, SourceMap map, List<Diagnostic> errors, string path) where T : class, new() =>
        (T?)new ManifestBinder(map, errors).BindValue(root, typeof(T), path) ?? new T();

    /// <summary>The YAML key for a property: its name in camelCase.</summary>
    public static string KeyOf(PropertyInfo property) => JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    public static IReadOnlyDictionary<string, PropertyInfo> PropertiesOf(Type type) =>
        PropertyCache.GetOrAdd(type, t => t
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(KeyOf, p => p, StringComparer.Ordinal));

    private object? BindValue(YNode node, Type type, string path)
    {
        _map.AddValue(path, node.Line, node.Column);
        var target = Nullable.GetUnderlyingType(type) ?? type;

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(ValueList<>))
        {
            return BindList(node, target, path);
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(ValueMap<>))
        {
            return BindMap(node, target, path);
        }

        if (target.IsClass && target != typeof(string))
        {
            return BindRecord(node, target, path);
        }

        if (node is not YScalar scalar)
        {
            return Error(ErrorCodes.Type, node, path, $"expected {Describe(target)}, found a {Shape(node)}");
        }

        return BindScalar(scalar, target, path);
    }

    private object? BindScalar(YScalar scalar, Type type, string path)
    {
        var text = scalar.Value;
        if (type == typeof(string))
        {
            return text;
        }

        if (type == typeof(int))
        {
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? number
                : Error(ErrorCodes.Type, scalar, path, $"expected a whole number, found '{text}'");
        }

        if (type == typeof(bool))
        {
            return text.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                _ => Error(ErrorCodes.Type, scalar, path, $"expected true or false, found '{text}'"),
            };
        }

        if (type.IsEnum)
        {
            var names = Enum.GetNames(type).Select(n => n.ToLowerInvariant()).ToList();
            var index = names.IndexOf(text);
            return index >= 0
                ? Enum.GetValues(type).GetValue(index)
                : Error(ErrorCodes.EnumValue, scalar, path, $"'{text}' is not one of {string.Join(", ", names)}{Suggestions.Hint(text, names)}");
        }

        if (type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IScalarValue<>)))
        {
            return BindScalarValue(scalar, type, path);
        }

        throw new InvalidOperationException($"The manifest model uses {type}, which the binder cannot read.");
    }

    private object? BindScalarValue(YScalar scalar, Type type, string path)
    {
        object?[] arguments = [scalar.Value, null, null];
        var parsed = (bool)type.GetMethod(nameof(Duration.TryParse), BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments)!;
        if (parsed)
        {
            return arguments[1];
        }

        var code = (string)type.GetProperty(nameof(Duration.ErrorCode), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        return Error(code, scalar, path, (string)arguments[2]!);
    }

    private object? BindList(YNode node, Type listType, string path)
    {
        var itemType = listType.GetGenericArguments()[0];
        if (node is not YSequence sequence)
        {
            var hint = itemType == typeof(string) && node is YScalar
                ? $"; write a list, e.g. [\"{((YScalar)node).Value}\"] (a single string would need a shell to split it)"
                : "";
            return Error(ErrorCodes.Type, node, path, $"expected a list, found a {Shape(node)}{hint}");
        }

        var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = BindValue(sequence.Items[i], itemType, SourceMap.Item(path, i));
            if (item is not null)
            {
                items.Add(item);
            }
        }

        return Activator.CreateInstance(listType, items);
    }

    private object? BindMap(YNode node, Type mapType, string path)
    {
        if (node is not YMapping mapping)
        {
            return Error(ErrorCodes.Type, node, path, $"expected a mapping of names to values, found a {Shape(node)}");
        }

        var valueType = mapType.GetGenericArguments()[0];
        var pairType = typeof(KeyValuePair<,>).MakeGenericType(typeof(string), valueType);
        var pairs = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(pairType))!;
        foreach (var (key, value) in mapping.Entries)
        {
            var childPath = SourceMap.Child(path, key.Value);
            _map.AddKey(childPath, key.Line, key.Column);
            var bound = value is YScalar { IsNull: true } && valueType.IsClass && valueType != typeof(string)
                ? Activator.CreateInstance(valueType) // `web:` with nothing under it is a service with defaults.
                : BindValue(value, valueType, childPath);
            if (bound is not null)
            {
                pairs.Add(Activator.CreateInstance(pairType, key.Value, bound));
            }
        }

        return Activator.CreateInstance(mapType, pairs);
    }

    private object? BindRecord(YNode node, Type type, string path)
    {
        if (node is not YMapping mapping)
        {
            return Error(ErrorCodes.Type, node, path, $"expected a mapping (key: value lines), found a {Shape(node)}");
        }

        var properties = PropertiesOf(type);
        var record = Activator.CreateInstance(type)!;
        foreach (var (key, value) in mapping.Entries)
        {
            var childPath = SourceMap.Child(path, key.Value);
            if (!properties.TryGetValue(key.Value, out var property))
            {
                var where = path.Length == 0 ? "at the top level" : $"in '{path}'";
                Error(ErrorCodes.UnknownKey, key, childPath, $"unknown key '{key.Value}' {where}{Suggestions.Hint(key.Value, properties.Keys)}");
                continue;
            }

            _map.AddKey(childPath, key.Line, key.Column);
            if (value is YScalar { IsNull: true })
            {
                BindNull(record, property, value, childPath);
                continue;
            }

            var bound = BindValue(value, property.PropertyType, childPath);
            if (bound is not null)
            {
                property.SetValue(record, bound);
            }
        }

        foreach (var (key, property) in properties)
        {
            if (property.GetCustomAttribute<RequiredAttribute>() is not null && mapping[key] is null)
            {
                var where = path.Length == 0 ? "the manifest" : $"'{path}'";
                Error(ErrorCodes.Required, mapping, SourceMap.Child(path, key), $"{where} needs '{key}'");
            }
        }

        return record;
    }

    /// <summary><c>key:</c> with no value: null where the field may be absent, else the default stays.</summary>
    private void BindNull(object record, PropertyInfo property, YNode value, string path)
    {
        _map.AddValue(path, value.Line, value.Column);
        var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null
            || (!property.PropertyType.IsValueType && Nullability.Create(property).WriteState == NullabilityState.Nullable);
        if (nullable)
        {
            property.SetValue(record, null);
        }
        else if (property.PropertyType.IsValueType || property.PropertyType == typeof(string))
        {
            Error(ErrorCodes.Type, value, path, $"'{KeyOf(property)}' needs a value");
        }
    }

    private object? Error(string code, YNode node, string path, string message)
    {
        _errors.Add(new Diagnostic(code, message, new SourceLocation(_map.File, node.Line, node.Column), path));
        return null;
    }

    private static string Shape(YNode node) => node switch
    {
        YMapping => "mapping",
        YSequence => "list",
        YScalar { IsNull: true } => "empty value",
        YScalar s => $"value '{s.Value}'",
        _ => "node",
    };

    private static string Describe(Type type) =>
        type == typeof(int) ? "a whole number"
        : type == typeof(bool) ? "true or false"
        : type == typeof(string) ? "text"
        : type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}"
        : "a single value";
}
