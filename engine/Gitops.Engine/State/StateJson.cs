using System.Text.Json;

namespace Gitops.Engine.State;

/// <summary>The one JSON shape for what the engine stores and saves (state documents, plan files).</summary>
public static class StateJson
{
    public static readonly JsonSerializerOptions Options = new(Desired.Fingerprint.Canonical) { WriteIndented = false };

    public static readonly JsonSerializerOptions Indented = new(Desired.Fingerprint.Canonical) { WriteIndented = true };

    public static string Write<T>(T value, bool indented = false) => JsonSerializer.Serialize(value, indented ? Indented : Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new InvalidDataException($"stored {typeof(T).Name} is empty");
}
