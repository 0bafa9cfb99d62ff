using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>Connects a target of kind docker or podman: its driver and its image builder share one client.</summary>
public static class DockerTarget
{
    public static (DockerDriver Driver, DockerImageBuilder Images) Connect(TargetSpec target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = EngineClient.Create(new EngineEndpoint(target.Kind, target.SocketPath));
        return (new DockerDriver(client, target.Kind), new DockerImageBuilder(client));
    }
}
