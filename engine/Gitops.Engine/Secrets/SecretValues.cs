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
}
