using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;

namespace Gitops.Schema.Loading;

/// <summary>
/// What loading a manifest gives: the base manifest as written (defaults filled in), the effective
/// manifest of each environment (its overrides merged over the base), and every error found.
/// </summary>
public sealed record ManifestLoadResult(
    Manifest? Manifest,
    ValueMap<Manifest> Environments,
    IReadOnlyList<Diagnostic> Errors)
{
    public bool IsValid => Errors.Count == 0 && Manifest is not null;

    /// <summary>A manifest that could not be read at all (missing, too large).</summary>
    public static ManifestLoadResult Failure(string code, string file, string message) =>
        new(null, ValueMap<Manifest>.Empty, [new Diagnostic(code, message, new SourceLocation(file, 1, 1))]);

    /// <summary>The effective manifest for one environment.</summary>
    public Manifest ForEnvironment(string environment) =>
        Environments.TryGetValue(environment, out var manifest)
            ? manifest
            : throw new KeyNotFoundException($"environment '{environment}' is not declared; environments: {string.Join(", ", Environments.Keys)}");
}
