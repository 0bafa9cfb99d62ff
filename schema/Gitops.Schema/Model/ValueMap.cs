using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Gitops.Schema.Model;

/// <summary>
/// An immutable string-keyed map with value equality, iterated in ordinal key order so that
/// everything computed from it (plans, fingerprints, output) is deterministic.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ValueMapJsonConverterFactory))]
public sealed class ValueMap<T> : IReadOnlyDictionary<string, T>, IEquatable<ValueMap<T>>
{
    public static readonly ValueMap<T> Empty = new([]);

    private readonly ImmutableSortedDictionary<string, T> _items;

    public ValueMap(IEnumerable<KeyValuePair<string, T>> items) =>
        _items = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, items);

    public int Count => _items.Count;

    public IEnumerable<string> Keys => _items.Keys;

    public IEnumerable<T> Values => _items.Values;

    public T this[string key] => _items[key];

    public bool ContainsKey(string key) => _items.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value) => _items.TryGetValue(key, out value);

    public bool Equals(ValueMap<T>? other) =>
        other is not null && Count == other.Count && _items.All(pair =>
            other._items.TryGetValue(pair.Key, out var value) && EqualityComparer<T>.Default.Equals(pair.Value, value));

    public override bool Equals(object? obj) => Equals(obj as ValueMap<T>);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in _items)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{{{string.Join(", ", _items.Select(p => $"{p.Key}: {p.Value}"))}}}";
}

public static class ValueMap
{
    public static ValueMap<T> Of<T>(params (string Key, T Value)[] items) =>
        new(items.Select(i => KeyValuePair.Create(i.Key, i.Value)));
}
