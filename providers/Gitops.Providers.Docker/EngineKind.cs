namespace Gitops.Providers.Docker;

/// <summary>The container engines a local or server target can run. Both speak the Docker Engine API.</summary>
public enum EngineKind
{
    Docker,
    Podman,
}
