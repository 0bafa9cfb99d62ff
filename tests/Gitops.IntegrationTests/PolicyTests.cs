using Docker.DotNet.Models;
using Gitops.Engine.Targets.Replicas;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.IntegrationTests;

/// <summary>
/// Each way out of a container, tried against the real engine through the one choke point: the
/// request is refused with a reason naming the rule, and no container exists afterwards.
/// </summary>
public sealed class PolicyTests
{
    public static TheoryData<string, string> Attacks()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in new[] { "docker", "podman" })
        {
            foreach (var attack in Mutations.Keys)
            {
                data.Add(engine, attack);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, (Action<CreateContainerParameters> Mutate, string Reason)> Mutations = new()
    {
        ["privileged"] = (r => r.HostConfig!.Privileged = true, "privileged mode"),
        ["bind of the docker socket"] = (r => r.HostConfig!.Binds = ["/var/run/docker.sock:/var/run/docker.sock"], "host path '/var/run/docker.sock'"),
        ["bind of the podman socket"] = (r => r.HostConfig!.Binds = ["/run/podman/podman.sock:/sock"], "host path '/run/podman/podman.sock'"),
        ["relative host path bind"] = (r => r.HostConfig!.Binds = ["./../../etc:/host-etc:ro"], "host path './../../etc'"),
        ["bind mount of /"] = (r => r.HostConfig!.Mounts = [new Mount { Type = "bind", Source = "/", Target = "/host" }], "bind mount of '/'"),
        ["volume driver binding a host path"] = (r => r.HostConfig!.Mounts = [new Mount { Type = "volume", Source = "data", Target = "/data", VolumeOptions = new VolumeOptions { DriverConfig = new Driver { Name = "local", Options = new Dictionary<string, string> { ["type"] = "none", ["o"] = "bind", ["device"] = "/etc" } } } }], "not a plain named volume"),
        ["host network"] = (r => r.HostConfig!.NetworkMode = "host", "network namespace 'host'"),
        ["host pid"] = (r => r.HostConfig!.PidMode = "host", "pid namespace 'host'"),
        ["host ipc"] = (r => r.HostConfig!.IpcMode = "host", "ipc namespace 'host'"),
        ["SYS_ADMIN capability"] = (r => r.HostConfig!.CapAdd = ["SYS_ADMIN"], "capability SYS_ADMIN"),
        ["ALL capabilities"] = (r => r.HostConfig!.CapAdd = ["ALL"], "capability ALL"),
        ["device"] = (r => r.HostConfig!.Devices = [new DeviceMapping { PathOnHost = "/dev/mem", PathInContainer = "/dev/mem", CgroupPermissions = "rwm" }], "host devices"),
        ["unconfined seccomp"] = (r => r.HostConfig!.SecurityOpt = ["no-new-privileges", "seccomp=unconfined"], "security option 'seccomp=unconfined'"),
        ["unconfined apparmor"] = (r => r.HostConfig!.SecurityOpt = ["no-new-privileges", "apparmor:unconfined"], "security option 'apparmor:unconfined'"),
        ["new privileges allowed"] = (r => r.HostConfig!.SecurityOpt = [], "no-new-privileges is not set"),
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Dangerous_request_is_refused_before_anything_is_created(string engine, string attack)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var spec = new Gitops.Engine.Desired.ServiceSpec { Image = world.Busybox, Command = ValueList.Of("sleep", "30"), MemoryBytes = 64L * 1024 * 1024 };
        var service = new DesiredService("evil", spec, Fingerprint.Of(spec), 1, DeployStrategy.Rolling, Duration.FromSeconds(1), ValueList<string>.Empty);
        var request = ContainerRequest.For(new ReplicaRequest(world.Project, "dev", "d-test", "bridge", service, 1));
        Assert.Empty(ContainerPolicy.Check(request)); // the secure default passes
        var (mutate, reason) = Mutations[attack];
        mutate(request);

        var refused = await Assert.ThrowsAsync<PolicyViolationException>(() => GuardedContainers.CreateAsync(world.Client, request, CancellationToken.None));

        Assert.Contains(refused.Violations, v => v.Contains(reason, StringComparison.Ordinal));
        Assert.Empty(await world.ContainersAsync());
    }
}
