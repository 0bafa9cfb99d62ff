using Docker.DotNet.Models;
using Gitops.Engine.Targets.Replicas;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.Server.Tests;

/// <summary>
/// The container policy as a pure check, rule by rule: each way out of a container is refused
/// with a reason naming it, and what a normal replica needs still passes. The same attacks against
/// a real engine, through the one place that creates containers, are in the integration tests
/// (PolicyTests, IngressPolicyTests).
/// </summary>
public sealed class ContainerPolicyTests
{
    private const string Data = "/var/lib/paas/ingress";

    [Fact]
    public void The_request_every_replica_gets_passes()
    {
        var spec = new Gitops.Engine.Desired.ServiceSpec
        {
            Image = "busybox",
            Command = ValueList.Of("sleep", "30"),
            MemoryBytes = 64L * 1024 * 1024,
            Mounts = new ValueMap<string>(new Dictionary<string, string> { ["paas_shop_dev_data"] = "/data" }),
        };
        var service = new DesiredService("web", spec, Fingerprint.Of(spec), 1, DeployStrategy.Rolling, Duration.FromSeconds(1), ValueList<string>.Empty);

        Assert.Empty(ContainerPolicy.Check(ContainerRequest.For(new ReplicaRequest("shop", "dev", "d-1", "paas_shop_dev", service, 0))));
    }

    [Fact]
    public void A_request_without_host_settings_is_refused_for_every_missing_limit()
    {
        var violations = ContainerPolicy.Check(new CreateContainerParameters { Image = "busybox" });

        Assert.Equal(["capabilities not dropped (CapDrop must hold ALL)", "no-new-privileges is not set", "no pids limit", "no memory limit"], violations);
    }

    [Fact]
    public void A_refusal_names_every_violation_in_its_message()
    {
        var violations = ContainerPolicy.Check(new CreateContainerParameters { Image = "busybox", HostConfig = new HostConfig { Privileged = true, CapDrop = ["ALL"], SecurityOpt = ["no-new-privileges"], Memory = 64L * 1024 * 1024 } });

        var refusal = new PolicyViolationException(violations);

        Assert.Equal("refused by container policy: privileged mode; no pids limit", refusal.Message);
        Assert.Equal(violations, refusal.Violations);
    }

    [Fact]
    public void A_missing_request_is_an_argument_error() =>
        Assert.Throws<ArgumentNullException>(() => ContainerPolicy.Check(null!));

    [Fact]
    public void Privileged_mode_is_refused() =>
        Assert.Equal(["privileged mode"], Violations(h => h.Privileged = true));

    [Theory]
    [InlineData("/var/run/docker.sock:/var/run/docker.sock", "/var/run/docker.sock")]
    [InlineData("./../../etc:/host-etc:ro", "./../../etc")]
    [InlineData("~/secrets:/s", "~/secrets")]
    [InlineData(".hidden:/h", ".hidden")]
    [InlineData("-data:/d", "-data")]
    [InlineData("data..old:/d", "data..old")]
    [InlineData("da/ta:/d", "da/ta")]
    [InlineData("data$:/d", "data$")]
    [InlineData(":/d", "")]
    public void A_bind_of_anything_but_a_named_volume_is_refused_as_a_host_path(string bind, string source) =>
        Assert.Equal([$"host path '{source}' in binds"], Violations(h => h.Binds = [bind]));

    [Theory]
    [InlineData("data:/data")]
    [InlineData("paas_shop_dev_data:/data:ro")]
    [InlineData("0cache.v2-x:/cache")]
    public void A_bind_of_a_named_volume_passes(string bind) =>
        Assert.Empty(Violations(h => h.Binds = [bind]));

    [Theory]
    [InlineData("bind", "/", "bind mount of '/'")]
    [InlineData("npipe", "docker_engine", "npipe mount of 'docker_engine'")]
    [InlineData("volume", "/etc", "volume mount '/etc' that is not a plain named volume")]
    [InlineData("volume", null, "volume mount '' that is not a plain named volume")]
    public void A_mount_that_is_not_a_named_volume_or_tmpfs_is_refused(string type, string? source, string reason) =>
        Assert.Equal([reason], Violations(h => h.Mounts = [new Mount { Type = type, Source = source, Target = "/host" }]));

    [Theory]
    [InlineData("volume", "data")]
    [InlineData("VOLUME", "data")]
    [InlineData("tmpfs", null)]
    [InlineData("TMPFS", null)]
    public void Named_volume_and_tmpfs_mounts_pass(string type, string? source) =>
        Assert.Empty(Violations(h => h.Mounts = [new Mount { Type = type, Source = source, Target = "/data" }]));

    [Fact]
    public void A_named_volume_with_driver_options_is_refused_because_they_can_bind_a_host_path()
    {
        var driver = new Driver { Name = "local", Options = new Dictionary<string, string> { ["o"] = "bind", ["device"] = "/etc" } };

        Assert.Equal(["volume mount 'data' that is not a plain named volume"], Violations(h => h.Mounts = [new Mount { Type = "volume", Source = "data", Target = "/data", VolumeOptions = new VolumeOptions { DriverConfig = driver } }]));
        Assert.Empty(Violations(h => h.Mounts = [new Mount { Type = "volume", Source = "data", Target = "/data", VolumeOptions = new VolumeOptions { NoCopy = true } }])); // options without a driver are harmless
    }

    [Fact]
    public void Volumes_from_another_container_are_refused()
    {
        Assert.Equal(["volumes from another container"], Violations(h => h.VolumesFrom = ["web"]));
        Assert.Empty(Violations(h => h.VolumesFrom = []));
    }

    [Theory]
    [InlineData("host")]
    [InlineData("HOST")]
    [InlineData("container:web")]
    [InlineData("Container:web")]
    [InlineData("ns:/proc/1/ns/net")]
    [InlineData("NS:/proc/1/ns/net")]
    public void Every_namespace_of_the_host_or_another_container_is_refused(string mode)
    {
        Assert.Equal([$"network namespace '{mode}'"], Violations(h => h.NetworkMode = mode));
        Assert.Equal([$"pid namespace '{mode}'"], Violations(h => h.PidMode = mode));
        Assert.Equal([$"ipc namespace '{mode}'"], Violations(h => h.IpcMode = mode));
        Assert.Equal([$"uts namespace '{mode}'"], Violations(h => h.UTSMode = mode));
        Assert.Equal([$"user namespace '{mode}'"], Violations(h => h.UsernsMode = mode));
        Assert.Equal([$"cgroup namespace '{mode}'"], Violations(h => h.CgroupnsMode = mode));
    }

    [Fact]
    public void Namespaces_left_unset_pass() =>
        Assert.Empty(Violations(h =>
        {
            // The model starts them as "", but a request read from JSON with null fields holds null: the engine's defaults.
            h.NetworkMode = h.PidMode = h.IpcMode = h.UTSMode = h.UsernsMode = h.CgroupnsMode = null!;
        }));

    [Theory]
    [InlineData("private")]
    [InlineData("bridge")]
    [InlineData("hostname")]
    [InlineData("xcontainer:web")]
    public void Private_namespaces_pass(string mode) =>
        Assert.Empty(Violations(h =>
        {
            h.NetworkMode = h.PidMode = h.IpcMode = h.UTSMode = h.UsernsMode = h.CgroupnsMode = mode;
        }));

    [Theory]
    [InlineData("SYS_ADMIN")]
    [InlineData("CAP_SYS_ADMIN")]
    [InlineData("cap_net_admin")]
    [InlineData("ALL")]
    public void A_capability_beyond_the_allowed_few_is_refused(string capability) =>
        Assert.Equal([$"capability {capability}"], Violations(h => h.CapAdd = ["CHOWN", capability]));

    [Theory]
    [InlineData("CHOWN")]
    [InlineData("CAP_SETUID")]
    [InlineData("cap_setgid")]
    [InlineData("net_bind_service")]
    [InlineData("KILL")]
    public void The_allowed_capabilities_pass_with_or_without_their_prefix(string capability) =>
        Assert.Empty(Violations(h => h.CapAdd = [capability]));

    [Fact]
    public void Capabilities_must_be_dropped_with_all()
    {
        Assert.Equal(["capabilities not dropped (CapDrop must hold ALL)"], Violations(h => h.CapDrop = ["NET_RAW"]));
        Assert.Equal(["capabilities not dropped (CapDrop must hold ALL)"], Violations(h => h.CapDrop = null!));
        Assert.Empty(Violations(h => h.CapDrop = ["NET_RAW", "all"]));
    }

    [Fact]
    public void Host_devices_are_refused_in_every_form()
    {
        Assert.Equal(["host devices"], Violations(h => h.Devices = [new DeviceMapping { PathOnHost = "/dev/mem", PathInContainer = "/dev/mem", CgroupPermissions = "rwm" }]));
        Assert.Equal(["host devices"], Violations(h => h.DeviceRequests = [new DeviceRequest { Driver = "nvidia", Count = -1 }]));
        Assert.Equal(["host devices"], Violations(h => h.DeviceCgroupRules = ["c 1:1 rwm"]));
        Assert.Empty(Violations(h =>
        {
            h.Devices = [];
            h.DeviceRequests = [];
            h.DeviceCgroupRules = [];
        }));
    }

    [Theory]
    [InlineData("seccomp=unconfined")]
    [InlineData("seccomp:unconfined")]
    [InlineData("apparmor:unconfined")]
    [InlineData("APPARMOR=UNCONFINED")]
    [InlineData("systempaths=unconfined")]
    [InlineData("label=disable")]
    [InlineData("label:disable")]
    [InlineData("Label=Disable")]
    public void A_security_option_that_turns_confinement_off_is_refused(string option) =>
        Assert.Equal([$"security option '{option}'"], Violations(h => h.SecurityOpt = ["no-new-privileges", option]));

    [Theory]
    [InlineData("seccomp=/etc/paas/seccomp.json")]
    [InlineData("apparmor=docker-default")]
    [InlineData("label=type:container_t")]
    [InlineData("label=disabled-not")]
    public void A_security_option_that_keeps_confinement_passes(string option) =>
        Assert.Empty(Violations(h => h.SecurityOpt = ["no-new-privileges", option]));

    [Theory]
    [InlineData("no-new-privileges", true)]
    [InlineData("no-new-privileges:true", true)]
    [InlineData("no-new-privileges=true", true)]
    [InlineData("NO-NEW-PRIVILEGES", true)]
    [InlineData("no-new-privileges:false", false)]
    [InlineData("no-new-privileges=FALSE", false)]
    [InlineData("new-privileges", false)]
    public void New_privileges_must_be_turned_off(string option, bool passes) =>
        Assert.Equal(passes ? Array.Empty<string>() : ["no-new-privileges is not set"], Violations(h => h.SecurityOpt = [option]));

    [Theory]
    [InlineData(null, false)]
    [InlineData(0L, false)]
    [InlineData(-1L, false)]
    [InlineData(1L, true)]
    public void A_pids_limit_is_required(long? limit, bool passes) =>
        Assert.Equal(passes ? Array.Empty<string>() : ["no pids limit"], Violations(h => h.PidsLimit = limit));

    [Theory]
    [InlineData(0L, false)]
    [InlineData(-1L, false)]
    [InlineData(1L, true)]
    public void A_memory_limit_is_required(long memory, bool passes) =>
        Assert.Equal(passes ? Array.Empty<string>() : ["no memory limit"], Violations(h => h.Memory = memory));

    [Fact]
    public void Every_broken_rule_is_named_not_only_the_first()
    {
        var violations = Violations(h =>
        {
            h.Privileged = true;
            h.PidMode = "host";
            h.Memory = 0;
        });

        Assert.Equal(["privileged mode", "pid namespace 'host'", "no memory limit"], violations);
    }

    [Theory]
    [InlineData($"{Data}:{Data}")]
    [InlineData($"{Data}:{Data}:rw")]
    public void The_ingress_may_bind_its_own_data_directory_at_the_same_path_and_use_the_host_network(string bind) =>
        Assert.Empty(Violations(
            h =>
            {
                h.Binds = [bind];
                h.NetworkMode = "host";
            },
            new IngressAllowance(Data)));

    [Theory]
    [InlineData($"{Data}:{Data}:ro", Data)]
    [InlineData($"{Data}:/data", Data)]
    [InlineData($"{Data}/certs:{Data}/certs", $"{Data}/certs")]
    [InlineData("/var/lib/paas:/var/lib/paas", "/var/lib/paas")]
    public void The_ingress_may_bind_nothing_else(string bind, string source) =>
        Assert.Equal([$"host path '{source}' in binds"], Violations(h => h.Binds = [bind], new IngressAllowance(Data)));

    [Fact]
    public void The_ingress_allowance_opens_no_other_namespace()
    {
        Assert.Equal(["network namespace 'container:web'"], Violations(h => h.NetworkMode = "container:web", new IngressAllowance(Data)));
        Assert.Equal(["pid namespace 'host'"], Violations(h => h.PidMode = "host", new IngressAllowance(Data)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("var/lib/paas")]
    [InlineData("/var/lib/pa:as")]
    [InlineData("/var/lib/../paas")]
    [InlineData("/var/lib//paas")]
    [InlineData("/")]
    [InlineData("/var/lib/paas/")]
    public void An_allowance_for_a_directory_that_is_not_a_plain_absolute_path_allows_nothing(string directory)
    {
        var allowance = new IngressAllowance(directory);
        var problem = $"ingress data directory '{directory}' is not a plain absolute directory path";

        Assert.Equal([problem], allowance.Problems());
        Assert.False(allowance.IsItsDataDirectory($"{directory}:{directory}"));
        Assert.Equal(problem, Violations(h => h.Binds = [], allowance).Single());
    }

    [Fact]
    public void A_plain_absolute_directory_is_a_valid_allowance()
    {
        Assert.Empty(new IngressAllowance(Data).Problems());
        Assert.True(new IngressAllowance(Data).IsItsDataDirectory($"{Data}:{Data}"));
        Assert.False(new IngressAllowance(Data).IsItsDataDirectory($"{Data}:{Data}:ro"));
        Assert.False(new IngressAllowance(Data).IsItsDataDirectory($"{Data}x:{Data}x"));
    }

    /// <summary>The violations of a secure request (as every replica gets) after one change.</summary>
    [Fact]
    public void A_service_may_not_keep_the_capabilities_that_read_any_file() =>
        Assert.Equal(["capability DAC_OVERRIDE", "capability CAP_DAC_READ_SEARCH"], Violations(h => h.CapAdd = ["CHOWN", "DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"]));

    [Fact]
    public void The_volume_helper_keeps_them_on_no_network_only_and_nothing_more()
    {
        static CreateContainerParameters Helper(string network, params string[] capabilities) => new()
        {
            Image = "busybox",
            HostConfig = new HostConfig { NetworkMode = network, CapDrop = ["ALL"], CapAdd = [.. capabilities], SecurityOpt = ["no-new-privileges"], PidsLimit = 512, Memory = 64L * 1024 * 1024 },
        };

        Assert.Empty(ContainerPolicy.Check(Helper("none", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID"), null, volumeHelper: true));
        Assert.Equal(["a volume helper must be on no network (NetworkMode none)"], ContainerPolicy.Check(Helper("paas_shop_dev", "DAC_OVERRIDE"), null, volumeHelper: true));
        Assert.Equal(["capability SYS_ADMIN"], ContainerPolicy.Check(Helper("none", "DAC_OVERRIDE", "SYS_ADMIN"), null, volumeHelper: true));
        Assert.Equal(["capability DAC_OVERRIDE"], ContainerPolicy.Check(Helper("none", "DAC_OVERRIDE"))); // not a helper: no allowance
    }

    private static IReadOnlyList<string> Violations(Action<HostConfig> change, IngressAllowance? ingress = null)
    {
        var host = new HostConfig
        {
            NetworkMode = "paas_shop_dev",
            CapDrop = ["ALL"],
            CapAdd = ["CHOWN"],
            SecurityOpt = ["no-new-privileges"],
            PidsLimit = 512,
            Memory = 64L * 1024 * 1024,
        };
        change(host);
        return ContainerPolicy.Check(new CreateContainerParameters { Image = "busybox", HostConfig = host }, ingress);
    }
}
