using System.Text.Json;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Engine.Targets;

/// <summary>
/// A target's credentials kept in the platform's encrypted store (<c>paas target credentials NAME</c>):
/// what the cloud's own tool prints for them (an AWS key pair, a Google service-account key), sealed
/// like an app secret under an owner no project can be named. The provider reads them when it
/// connects; a target without them uses its kind's standard chain (environment, profile, role).
/// </summary>
public static class TargetCredentials
{
    /// <summary>The owner the values are kept under: '@' is not allowed in a project name, so no manifest or project secret reaches it.</summary>
    public const string Owner = "@targets";

    /// <summary>The target's stored credentials, or null when none are stored (or the platform has no data directory yet).</summary>
    public static string? Read(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.DataDirectory is not { } directory || !File.Exists(Path.Combine(directory, StateStore.DatabaseFile)))
        {
            return null;
        }

        if (StateStore.HeldHere(directory) is { } held)
        {
            return Read(new SecretStore(held), target.Name);
        }

        using var state = StateStore.Open(directory); // this process does not hold it: read, and let go
        return Read(new SecretStore(state), target.Name);
    }

    public static void Save(SecretStore secrets, string target, string value)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        secrets.Set(Owner, null, target, value);
    }

    public static bool Remove(SecretStore secrets, string target)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        return secrets.Remove(Owner, null, target);
    }

    /// <summary>When each target's credentials were stored (never the values).</summary>
    public static IReadOnlyDictionary<string, DateTimeOffset> Stored(SecretStore secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        return secrets.List(Owner).ToDictionary(s => s.Name, s => s.UpdatedAt, StringComparer.Ordinal);
    }

    /// <summary>
    /// The non-empty string members of stored credentials that are a JSON object (what the clouds' tools
    /// print), by name; null with <paramref name="problem"/> when the value is not JSON, which is said
    /// without the parser's message: that would quote the value.
    /// </summary>
    public static Func<string, string?>? JsonFields(string value, string shape, out string problem)
    {
        problem = "";
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(value);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            problem = $"not JSON: give {shape}";
            return null;
        }

        return name => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var field) && field.ValueKind == JsonValueKind.String && field.GetString() is { Length: > 0 } text ? text : null;
    }

    private static string? Read(SecretStore secrets, string target) =>
        secrets.Resolve(Owner, SecretStore.AllEnvironments, [target]).Reveal().FirstOrDefault().Value;
}
