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
}
