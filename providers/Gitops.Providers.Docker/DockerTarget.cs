namespace Gitops.Providers.Docker;

/// <summary>Connects a docker or podman engine: its driver and its image builder share one client.</summary>
public static class DockerTarget
{
    public static (DockerDriver Driver, DockerImageBuilder Images) Connect(EngineEndpoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = EngineClient.Create(target);
        return (new DockerDriver(client, target), new DockerImageBuilder(client, target));
    }
}
