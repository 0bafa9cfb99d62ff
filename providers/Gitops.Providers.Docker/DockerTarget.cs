using Gitops.Engine.Reconcile;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>Connects a target of kind docker or podman: its driver and its image builder share one client.</summary>
public static class DockerTarget
{
    public static (DockerDriver Driver, DockerImageBuilder Images) Connect(TargetSpec target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = EngineClient.Create(target);
        return (new DockerDriver(client, target.Kind), new DockerImageBuilder(client, target));
    }

    /// <summary>The same, in the shape the reconciler asks for.</summary>
    public static TargetConnection Connection(TargetSpec target)
    {
        var (driver, images) = Connect(target);
        return new TargetConnection(driver, images);
    }
}
