using System.Text.RegularExpressions;

namespace Gitops.Engine.Images;

/// <summary>
/// An image name as engines read it: <c>[registry/]repository[:tag][@digest]</c>. The registry is
/// the first path part when it looks like a host (has a dot or a port, or is <c>localhost</c>);
/// otherwise the image is on Docker Hub, which is where logins for it are kept.
/// </summary>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    /// <summary>The name with the digest, which no later push can change: <c>registry/repository@sha256:…</c>.</summary>
    public string Pinned(string digest) => $"{Registry}/{Repository}@{digest}";

    public static ImageReference Parse(string image)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        var match = Shape().Match(image);
        if (!match.Success)
        {
            throw new FormatException($"'{image}' is not an image name (registry/repository:tag or @sha256:digest)");
        }

        var name = match.Groups["name"].Value;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : name[..slash];
        var isHost = first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost";
        var registry = isHost ? first : DockerHub;
        var repository = isHost ? name[(slash + 1)..] : name;
        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository; // how Docker Hub names its official images
        }

        return new ImageReference(
            registry == "index.docker.io" ? DockerHub : registry,
            repository,
            match.Groups["tag"].Success ? match.Groups["tag"].Value : null,
            match.Groups["digest"].Success ? match.Groups["digest"].Value : null);
    }

    // Lower-case path parts, an optional host[:port] first; a tag of up to 128 word characters; a sha256 digest.
    [GeneratedRegex(@"^(?<name>(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
