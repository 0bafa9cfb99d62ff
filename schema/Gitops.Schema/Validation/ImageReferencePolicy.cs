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

        if (!Grammar.ImageReference().IsMatch(reference))
        {
            return $"'{reference}' is not an image reference like registry.example.com/team/app:1.2";
        }

        var (domain, path, tagged) = Split(reference);
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

    /// <summary>Docker's rule: the first component is a registry when it has a '.' or ':' or is localhost.</summary>
    private static (string? Domain, string Path, bool Tagged) Split(string reference)
    {
        var digest = reference.IndexOf('@', StringComparison.Ordinal);
        var name = digest >= 0 ? reference[..digest] : reference;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string? domain = null;
        if (slash > 0)
        {
            var first = name[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                domain = first;
                name = name[(slash + 1)..];
            }
        }

        var colon = name.LastIndexOf(':');
        var path = colon > name.LastIndexOf('/') && colon >= 0 ? name[..colon] : name;
        return (domain, path, colon > name.LastIndexOf('/') && colon >= 0 || digest >= 0);
    }

    [GeneratedRegex("^[a-f0-9]+$")]
    private static partial Regex HexOnly();
}
