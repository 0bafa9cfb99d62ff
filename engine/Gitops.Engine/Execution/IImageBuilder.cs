using Gitops.Engine.Sources;
using Gitops.Schema.Model;

namespace Gitops.Engine.Execution;

/// <summary>Builds a service's image from its context on the target engine, unless the tag exists already.</summary>
public interface IImageBuilder
{
    /// <returns>True when it built; false when the image was already there.</returns>
    Task<bool> EnsureBuiltAsync(string tag, BuildContextFiles context, BuildSpec build, IProgress<string> log, CancellationToken cancellationToken);
}
