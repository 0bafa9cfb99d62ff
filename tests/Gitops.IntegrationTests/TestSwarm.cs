using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Providers.Docker;
using Gitops.Engine.Targets;

[assembly: AssemblyFixture(typeof(Gitops.IntegrationTests.TestSwarm))]

namespace Gitops.IntegrationTests;

/// <summary>
/// This machine's Docker engine in swarm mode, for the tests that deploy to a swarm: the first of
/// them makes the engine a single-node swarm (<c>docker swarm init --advertise-addr 127.0.0.1</c>)
/// unless it is one already, and the engine leaves the swarm again when the test run ends, so a
/// run leaves the machine as it found it.
/// </summary>
public sealed class TestSwarm : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1);
    private static bool _initialized;

    /// <summary>A client of the engine, which is then a swarm manager.</summary>
    public static async Task<DockerClient> ConnectAsync()
    {
        var client = await Engines.ConnectAsync("docker");
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            var info = await client.System.GetSystemInfoAsync(TestContext.Current.CancellationToken);
            if (info.Swarm?.LocalNodeState != "active")
            {
                await client.Swarm.InitSwarmAsync(new SwarmInitParameters { ListenAddr = "127.0.0.1:2377", AdvertiseAddr = "127.0.0.1" }, TestContext.Current.CancellationToken);
                _initialized = true;
            }
        }
        finally
        {
            Gate.Release();
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_initialized)
        {
            return;
        }

        // Leaving takes the swarm's tasks and overlay networks down with it, which the engine may not
        // finish within one request on a loaded machine: asked again, and left already is success.
        using var client = EngineClient.Create(Engines.Endpoint("docker"));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                await client.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true }, timeout.Token);
                return;
            }
            catch (DockerApiException e) when (e.Message.Contains("not part of a swarm", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            catch (Exception e) when (attempt < 3 && e is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
            }
        }
    }
}
