using System.Net;
using Gitops.Schema.Validation;

namespace Gitops.Engine.Images;

/// <summary>
/// An image name with its registry made explicit (<see cref="ImageName"/> reads it as written): no
/// domain means Docker Hub, whose official images live under <c>library/</c>, and Docker Hub is
/// where logins for it are kept.
/// </summary>
public sealed record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    /// <summary>The name with the digest, which no later push can change: <c>registry/repository@sha256:…</c>.</summary>
    public string Pinned(string digest) => $"{Registry}/{Repository}@{digest}";

    /// <summary>
    /// A registry on this machine (<c>localhost</c>, 127.0.0.0/8, ::1). Engines may reach it over
    /// plain http, as Docker does by default; nothing then crosses a network.
    /// </summary>
    public bool OnLoopback => IsLoopback(Registry);

    public static bool IsLoopback(string registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var host = registry.StartsWith('[') ? registry[1..registry.IndexOf(']', StringComparison.Ordinal)] : registry.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    public static ImageReference Parse(string image)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        var name = ImageName.TryParse(image) ?? throw new FormatException($"'{image}' is not an image name (registry/repository:tag or @sha256:digest)");
        var registry = name.Domain?.ToLowerInvariant() is { } domain && domain != "index.docker.io" ? domain : DockerHub;
        var repository = registry == DockerHub && !name.Path.Contains('/', StringComparison.Ordinal) ? "library/" + name.Path : name.Path;
        return new ImageReference(registry, repository, name.Tag, name.Digest);
    }
}
