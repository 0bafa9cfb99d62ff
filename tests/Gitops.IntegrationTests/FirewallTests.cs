using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Firewall;

namespace Gitops.IntegrationTests;

/// <summary>
/// The host firewall (platform.yaml <c>firewall:</c>) on this machine's real nftables, tried from a
/// foreign network namespace joined by a veth pair: allowed ports answer, others do not, including
/// container ports Docker publishes by hand (<c>-p</c>), which bypass the host's input
/// rules. The firewall governs the pair's host end only, so the rest of the machine (and the other
/// tests) are not filtered. The tests run one after the other: the table is the host's one.
/// Podman's published ports are not tried: on this machine no other host reaches them even without
/// the platform's firewall (measured: Docker sets the FORWARD policy to DROP and netavark 1.4 adds
/// no accept for the connections it translates); the forward rules are the same for both engines.
/// </summary>
public sealed class FirewallTests
{
    [Fact]
    public async Task The_firewall_lets_in_only_the_declared_ports_and_sources_and_closes_ports_an_engine_publishes()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        using var foreign = ForeignHost.Create();
        using var open = Listen();
        using var adminOnly = Listen();
        using var unlisted = Listen();
        await using var published = await PublishAsync(world.Client, world.Busybox);
        await using var publishedAllowed = await PublishAsync(world.Client, world.Busybox);
        var ports = new[] { Port(open), Port(adminOnly), Port(unlisted), published.Port, publishedAllowed.Port };
        WriteFirewall(world, foreign, $"    - {{ port: {Port(open)} }}\n    - {{ port: {Port(adminOnly)}, from: [10.99.0.0/16, 2001:db8::/32] }}\n    - {{ port: {publishedAllowed.Port} }}\n");
        try
        {
            var before = await ReachableAsync(foreign, ports);
            var plan = world.Paas("firewall", "plan");
            var applied = world.Paas("firewall", "apply");
            var after = await ReachableAsync(foreign, ports);
            var again = world.Paas("firewall", "plan");

            Assert.All(before, reached => Assert.True(reached)); // every port answers the foreign host without the firewall
            Assert.True(plan.ExitCode == 0, plan.ToString());
            Assert.Contains($"+ input: allow tcp {Port(open)} from anywhere", plan.Output, StringComparison.Ordinal);
            Assert.Contains($"+ input: allow tcp {Port(adminOnly)} from 10.99.0.0/16", plan.Output, StringComparison.Ordinal);
            Assert.Contains($"+ forward: allow tcp {publishedAllowed.Port} from anywhere to a published container port", plan.Output, StringComparison.Ordinal);
            Assert.True(applied.ExitCode == 0, applied.ToString());
            Assert.Equal([true, false, false, false, true], after);
            Assert.Contains("no changes", again.Output, StringComparison.Ordinal);
        }
        finally
        {
            await HostFirewall.RemoveAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_firewall_removed_behind_the_platforms_back_shows_in_the_plan_and_the_server_puts_it_back()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        using var foreign = ForeignHost.Create();
        using var unlisted = Listen();
        WriteFirewall(world, foreign, "    - { port: 22 }\n");
        world.WriteManifest("services:\n" + world.WebService("web"));
        try
        {
            Assert.Equal(0, world.Paas("firewall", "apply").ExitCode);
            var closed = await foreign.ConnectsAsync(Port(unlisted));
            await Gitops.Engine.Host.Nft.RequireAsync("removing the table as someone else would", $"delete table inet {FirewallRules.Table}\n", CancellationToken.None, "-f", "-");
            var opened = await foreign.ConnectsAsync(Port(unlisted));
            var plan = world.Plan();

            await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
            var deadline = DateTime.UtcNow + InProcessServer.Patience;
            while (await HostFirewall.ObserveAsync(CancellationToken.None) is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the server did not put the firewall back");
                await Task.Delay(200);
            }

            Assert.False(closed);
            Assert.True(opened); // gone: the host was open
            Assert.Contains("Host firewall (", plan.Output, StringComparison.Ordinal);
            Assert.Contains("+ table inet paas_firewall: not on this host", plan.Output, StringComparison.Ordinal);
            Assert.False(await foreign.ConnectsAsync(Port(unlisted))); // closed again
        }
        finally
        {
            await HostFirewall.RemoveAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_bad_port_source_or_interface_is_refused_naming_its_place_in_platform_yaml_and_nothing_is_applied()
    {
        var text = "firewall:\n  interfaces: [\"eth0; drop\"]\n  allow:\n    - { port: 70000 }\n    - { port: 22, from: [not-a-range] }\n";

        var directory = Directory.CreateTempSubdirectory("paas-fw-").FullName;
        File.WriteAllText(Path.Combine(directory, "platform.yaml"), text);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = Gitops.Cli.PaasCli.Run(["firewall", "apply", "--data-dir", directory], Gitops.Cli.CliConsole.Plain(output, error));

        Directory.Delete(directory, recursive: true);
        Assert.Equal(1, code);
        var message = error.ToString();
        Assert.Contains("platform.yaml:2:16: E-MANIFEST-TYPE 'eth0; drop' is not an interface name", message, StringComparison.Ordinal);
        Assert.Contains("platform.yaml:4:15: E-MANIFEST-TYPE '70000' is not a port", message, StringComparison.Ordinal);
        Assert.Contains("platform.yaml:5:26: E-MANIFEST-TYPE 'not-a-range' is not an address or a CIDR range", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal); // one clear message, no stack trace
        Assert.Null(await HostFirewall.ObserveAsync(CancellationToken.None));
    }

    private static void WriteFirewall(EngineWorld world, ForeignHost foreign, string allow) =>
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), $"firewall:\n  interfaces: [{foreign.HostInterface}]\n  allow:\n{allow}");

    private static async Task<bool[]> ReachableAsync(ForeignHost foreign, IEnumerable<int> ports)
    {
        var reached = new List<bool>();
        foreach (var port in ports)
        {
            reached.Add(await foreign.ConnectsAsync(port));
        }

        return [.. reached];
    }

    /// <summary>A server on every host address that accepts and closes connections.</summary>
    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await listener.AcceptTcpClientAsync();
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // stopped
            }
        });
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>A container whose port 8080 Docker publishes on a free host port, as <c>docker run -p</c> does.</summary>
    private static async Task<Published> PublishAsync(DockerClient client, string image)
    {
        var port = FreePort.Next();
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = ["httpd", "-f", "-p", "8080", "-h", "/etc"],
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["8080/tcp"] = default },
            HostConfig = new HostConfig { PortBindings = new Dictionary<string, IList<PortBinding>> { ["8080/tcp"] = [new PortBinding { HostPort = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }] } },
        });
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return new Published(client, created.ID, port);
    }

    private sealed record Published(DockerClient Client, string Id, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await Client.Containers.RemoveContainerAsync(Id, new ContainerRemoveParameters { Force = true });
    }
}
