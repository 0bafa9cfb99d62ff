namespace Gitops.Schema.Validation;

/// <summary>
/// An image reference as written, split the way Docker reads it:
/// <c>[domain/]path[:tag][@sha256:digest]</c>, where the first component is a domain only when it
/// has a '.' or ':' or is <c>localhost</c>. The one place that rule lives.
/// </summary>
public sealed record ImageName(string? Domain, string Path, string? Tag, string? Digest)
{
    /// <summary>The parts of a reference that matches <see cref="Grammar.ImageReference"/>; null for anything else.</summary>
    public static ImageName? TryParse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!Grammar.ImageReference().IsMatch(reference))
        {
            return null;
        }

        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var digest = at >= 0 ? reference[(at + 1)..] : null;
        var name = at >= 0 ? reference[..at] : reference;
        string? domain = null;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
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
        return colon > name.LastIndexOf('/')
            ? new ImageName(domain, name[..colon], name[(colon + 1)..], digest)
            : new ImageName(domain, name, null, digest);
    }
}
