using Gitops.Engine.Images;
using Gitops.Engine.Sources;
using Gitops.Schema.Model;

namespace Gitops.Engine.Execution;

/// <summary>An image ready on the engine: whether this apply built it, and its content id (digest).</summary>
public sealed record BuiltImage(bool Built, string Id);

/// <summary>
/// Builds a service's image from its context on the target engine, unless the tag exists already
/// and was built for the same project and service (its ownership labels say so; else it is refused).
/// </summary>
public interface IImageBuilder
{
    Task<BuiltImage> EnsureBuiltAsync(string project, string service, string tag, BuildContextFiles context, BuildSpec build, IProgress<string> log, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the base image the samples and starters build <c>FROM</c> when the target has no way
    /// to pull it (no registry), from what this machine has.
    /// </summary>
    /// <returns>What was made, for people; null when it was there already.</returns>
    Task<string?> EnsureStarterBaseAsync(IProgress<string> log, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="image"/> present on the target, pulling it (with <paramref name="login"/>,
    /// or anonymously) only when it is missing, as <c>docker compose up</c> does. A registry on
    /// loopback may answer plain http (<see cref="ImageReference.OnLoopback"/>).
    /// </summary>
    /// <returns>The digest the registry knows it by (<c>sha256:…</c>), or null for an image no registry gave (built or loaded here).</returns>
    Task<string?> EnsurePresentAsync(string image, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken);

    /// <summary>Tags the local image <paramref name="local"/> as <paramref name="remote"/> and pushes it.</summary>
    /// <returns>The digest the registry stored it under (<c>sha256:…</c>).</returns>
    Task<string> PushAsync(string local, string remote, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken);
}
