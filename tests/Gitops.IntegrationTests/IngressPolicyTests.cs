using Docker.DotNet.Models;
using Gitops.Engine.Targets.Replicas;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Providers.Caddy;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.IntegrationTests;

/// <summary>
/// The ingress container passes the same policy as every container, with an allow-list of
/// exactly two exceptions (the host network, a bind of its own data directory); an app container
/// gets neither, and the allow-list opens nothing else. No engine: the policy is a pure check.
/// </summary>
public sealed class IngressPolicyTests
{
    private const string Data = "/var/lib/paas/ingress";

    [Fact]
    public void The_ingress_request_passes_only_with_its_allowance()
    {
        var request = CaddyContainerRequest.For("paas-ingress-2019", "caddy:2", Data, $"{Data}/caddy.json");

        Assert.Empty(ContainerPolicy.Check(request, new IngressAllowance(Data)));
        var withoutAllowance = ContainerPolicy.Check(request);
        Assert.Contains("network namespace 'host'", withoutAllowance);
        Assert.Contains($"host path '{Data}' in binds", withoutAllowance);
    }

    [Fact]
    public void An_app_container_may_not_have_the_host_network_or_a_host_path()
    {
        var request = AppRequest();
        request.HostConfig!.NetworkMode = "host";
        request.HostConfig.Binds = [$"{Data}:{Data}"];

        var violations = ContainerPolicy.Check(request);

        Assert.Contains("network namespace 'host'", violations);
        Assert.Contains($"host path '{Data}' in binds", violations);
    }

    public static TheoryData<string> BeyondTheAllowList() => new(Mutations.Keys);

    private static readonly Dictionary<string, (Action<HostConfig> Mutate, string Reason)> Mutations = new()
    {
        ["another host path"] = (h => h.Binds = [$"{Data}:{Data}", "/etc:/etc"], "host path '/etc' in binds"),
        ["its directory elsewhere in the container"] = (h => h.Binds = [$"{Data}:/data"], $"host path '{Data}' in binds"),
        ["a parent of its directory"] = (h => h.Binds = ["/var/lib/paas:/var/lib/paas"], "host path '/var/lib/paas' in binds"),
        ["the docker socket"] = (h => h.Binds = [$"{Data}:{Data}", "/var/run/docker.sock:/var/run/docker.sock"], "host path '/var/run/docker.sock' in binds"),
        ["a bind mount"] = (h => h.Mounts = [new Mount { Type = "bind", Source = "/", Target = "/host" }], "bind mount of '/'"),
        ["host pid"] = (h => h.PidMode = "host", "pid namespace 'host'"),
        ["another container's network"] = (h => h.NetworkMode = "container:web", "network namespace 'container:web'"),
        ["privileged"] = (h => h.Privileged = true, "privileged mode"),
        ["a capability"] = (h => h.CapAdd = ["NET_BIND_SERVICE", "NET_ADMIN"], "capability NET_ADMIN"),
        ["capabilities kept"] = (h => h.CapDrop = [], "capabilities not dropped (CapDrop must hold ALL)"),
        ["new privileges"] = (h => h.SecurityOpt = [], "no-new-privileges is not set"),
        ["no pids limit"] = (h => h.PidsLimit = null, "no pids limit"),
        ["no memory limit"] = (h => h.Memory = 0, "no memory limit"),
    };

    [Theory]
    [MemberData(nameof(BeyondTheAllowList))]
    public void The_allowance_opens_nothing_else(string attempt)
    {
        var request = CaddyContainerRequest.For("paas-ingress-2019", "caddy:2", Data, $"{Data}/caddy.json");
        var (mutate, reason) = Mutations[attempt];
        mutate(request.HostConfig!);

        Assert.Contains(reason, ContainerPolicy.Check(request, new IngressAllowance(Data)));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("relative/dir")]
    [InlineData("/var/lib/paas/../../etc")]
    [InlineData("/var/lib/paas/")]
    public void A_data_directory_that_is_not_a_plain_absolute_path_is_no_allowance(string directory)
    {
        var request = CaddyContainerRequest.For("paas-ingress-2019", "caddy:2", directory, "/x/caddy.json");

        Assert.Contains($"ingress data directory '{directory}' is not a plain absolute directory path", ContainerPolicy.Check(request, new IngressAllowance(directory)));
    }

    private static CreateContainerParameters AppRequest()
    {
        var spec = new Gitops.Engine.Desired.ServiceSpec { Image = "busybox", MemoryBytes = 64L * 1024 * 1024 };
        var service = new DesiredService("web", spec, Fingerprint.Of(spec), 1, DeployStrategy.Rolling, Duration.FromSeconds(1), ValueList<string>.Empty);
        return ContainerRequest.For(new ReplicaRequest("shop", "dev", "d-test", "paas-shop-dev", service, 1));
    }
}
