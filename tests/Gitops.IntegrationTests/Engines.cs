using Docker.DotNet;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// Connects to a real engine. With PAAS_REQUIRE_ENGINES=1 (set by .ci/run) a missing engine fails
/// the test; otherwise the test is skipped with the reason, so a laptop without Podman still runs
/// the rest.
/// </summary>
public static class Engines
{
    public static TheoryData<string> All => new("docker", "podman");

    public static EngineEndpoint Endpoint(string name) => name switch
    {
        "docker" => new EngineEndpoint { Kind = EngineKind.Docker },
        "podman" => new EngineEndpoint { Kind = EngineKind.Podman },
        "swarm" => new EngineEndpoint { Kind = EngineKind.Docker }, // the Docker engine in swarm mode (TestSwarm)
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "engines: docker, podman, swarm"),
    };

    public static async Task<DockerClient> ConnectAsync(string name)
    {
        var endpoint = Endpoint(name);
        var (version, problem) = await EngineClient.ProbeAsync(endpoint, TestContext.Current.CancellationToken);
        if (version is null)
        {
            Require(problem ?? $"{name} does not answer");
        }

        var client = EngineClient.Create(endpoint);
        await LocalBaseImage.EnsureAsync(client, endpoint.Kind, TestContext.Current.CancellationToken);
        return client;
    }

    /// <summary>A real part the test needs is missing: fails under PAAS_REQUIRE_ENGINES=1 (CI), else skips saying why.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Require(string problem)
    {
        if (Environment.GetEnvironmentVariable("PAAS_REQUIRE_ENGINES") == "1")
        {
            Assert.Fail($"PAAS_REQUIRE_ENGINES=1 and {problem}");
        }

        Assert.Skip($"{problem}; scripts/setup-engines.sh installs and starts what the tests need");
    }
}
