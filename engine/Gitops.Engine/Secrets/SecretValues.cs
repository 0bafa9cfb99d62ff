namespace Gitops.Engine.Secrets;

/// <summary>
/// Secret values on their way into a container. Its text form names the secrets but never shows a
/// value, so logging or printing it by mistake leaks nothing.
/// </summary>
public sealed class SecretValues(IReadOnlyDictionary<string, string> values)
{
    public static readonly SecretValues None = new(new Dictionary<string, string>());

    public IEnumerable<KeyValuePair<string, string>> Reveal() => values;

    public IEnumerable<string> Names => values.Keys;

    public override string ToString() => $"[secrets: {string.Join(", ", values.Keys.Order(StringComparer.Ordinal))} (values hidden)]";
}

/// <summary>Where the executor gets secret values at the moment a container is created.</summary>
public interface ISecretSource
{
    /// <summary>Which value each secret has for the environment (name → e.g. <c>v2 (prod)</c>), for fingerprints and plans.</summary>
    IReadOnlyDictionary<string, string> Versions(string project, string environment);

    SecretValues Resolve(string project, string environment, IEnumerable<string> names);

    /// <summary>Stores a value for the environment (null: every environment of the project); returns its version.</summary>
    int Set(string project, string? environment, string name, string value);
}

public static class SecretSourceExtensions
{
    /// <summary>
    /// The values a service's containers get, by the variable each is given as: most are stored
    /// under that name; a template's are stored under the template service's (<see cref="Desired.ServiceSpec.SecretFrom"/>).
    /// </summary>
    public static SecretValues ResolveFor(this ISecretSource source, string project, string environment, Desired.ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.SecretFrom is not { Count: > 0 } from)
        {
            return source.Resolve(project, environment, spec.Secrets);
        }

        var stored = spec.Secrets.ToDictionary(n => n, n => from.TryGetValue(n, out var s) ? s : n, StringComparer.Ordinal);
        var values = source.Resolve(project, environment, stored.Values.Distinct(StringComparer.Ordinal)).Reveal().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new SecretValues(stored.Where(p => values.ContainsKey(p.Value)).ToDictionary(p => p.Key, p => values[p.Value], StringComparer.Ordinal));
    }
}
