using System.Text.RegularExpressions;

namespace Gitops.Schema.Validation;

/// <summary>
/// Which images a project may run or build from: images named from a registry, never one that
/// can only be found on this machine. Refused: the platform's built-image namespace and anything
/// under <c>localhost/</c> (where Podman keeps local images and the platform keeps every project's
/// builds); a short name starting with <c>paas</c> (Podman resolves a short name through
/// <c>localhost/</c> first, so <c>paas-other-web…</c> would find another project's build); image ids
/// (<c>sha256:…</c>, or a bare hex name without tag, which both engines resolve as an id prefix).
/// A project's own builds reach its services through <c>build:</c>, never by name.
/// </summary>
public static partial class ImageReferencePolicy
{
    /// <summary>Null when the reference may be used, else why not.</summary>
    public static string? Refusal(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) || reference.StartsWith('@'))
        {
            return $"'{reference}' is an image id, which names whatever image is on this machine; name an image from a registry (registry.example.com/team/app:1.2)";
        }

        if (ImageName.TryParse(reference) is not { } parsed)
        {
            return $"'{reference}' is not an image reference like registry.example.com/team/app:1.2";
        }

        var (domain, path, tagged) = (parsed.Domain, parsed.Path, parsed.Tag is not null || parsed.Digest is not null);
        if (domain is not null && domain.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{reference}' names a local image (localhost/ holds this machine's builds, every project's among them); name an image from a registry, or build yours with build:";
        }

        if (domain is null && (path == "paas" || path.StartsWith("paas-", StringComparison.Ordinal) || path.StartsWith("paas/", StringComparison.Ordinal)))
        {
            return $"'{reference}' could resolve to the platform's own builds (localhost/paas-…, which Podman searches first for a short name); name the registry, e.g. docker.io/{reference}";
        }

        if (domain is null && !tagged && HexOnly().IsMatch(path))
        {
            return $"'{reference}' can be read as an image id prefix, which names whatever image is on this machine; add a tag ({reference}:latest) or the registry";
        }

        return null;
    }

    [GeneratedRegex("^[a-f0-9]+$")]
    private static partial Regex HexOnly();
}
