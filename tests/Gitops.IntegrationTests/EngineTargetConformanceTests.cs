using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Tests.Conformance;

namespace Gitops.IntegrationTests;

/// <summary>The conformance suite against real Docker.</summary>
public sealed class DockerConformanceTests : TargetConformance
{
    protected override async Task<ITargetUnderTest> OpenAsync() => await EngineTarget.OpenAsync("docker");
}

/// <summary>The conformance suite against real Podman.</summary>
public sealed class PodmanConformanceTests : TargetConformance
{
    protected override async Task<ITargetUnderTest> OpenAsync() => await EngineTarget.OpenAsync("podman");
}

/// <summary>A real engine as the conformance suite's target: the platform's driver, and the engine's own client for drift and clean-up.</summary>
internal sealed class EngineTarget(DockerClient client, DockerDriver driver) : ITargetUnderTest
{
    public static async Task<EngineTarget> OpenAsync(string engine)
    {
        var kind = Engines.Endpoint(engine).Kind;
        var client = await Engines.ConnectAsync(engine);
        return new EngineTarget(client, new DockerDriver(EngineClient.Create(Engines.Endpoint(engine)), Engines.Endpoint(engine)));
    }

    public ITargetDriver Driver => driver;

    public string Image => LocalBaseImage.Name(driver.Engine);

    public string Command => "[\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]";

    /// <summary>The container family journals each replica: create the network, start two; or start two new, remove two old.</summary>
    public int StepsOf(string change) => change == "create" ? 3 : 4;

    public Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken) =>
        client.Containers.RemoveContainerAsync(instance, new ContainerRemoveParameters { Force = true }, cancellationToken);

    public Task CleanUpAsync(string project, CancellationToken cancellationToken) => EngineCleanup.RemoveProjectAsync(client, project);

    public ValueTask DisposeAsync()
    {
        driver.Dispose();
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
