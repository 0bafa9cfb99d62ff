using Gitops.Cli;
using Gitops.Engine.Targets;

namespace Gitops.Cli.Tests;

/// <summary>platform.yaml read with the CLI's providers: each kind binds its own options, and a mistake names its place.</summary>
public sealed class PlatformConfigTests
{
    private const string File = "/srv/paas/platform.yaml";

    [Fact]
    public void Each_target_gets_its_kind_and_the_options_its_provider_bound()
    {
        var platform = PlatformConfig.Parse("targets:\n  local: { kind: docker }\n  edge:\n    kind: podman\n    socket: /run/user/1000/podman/podman.sock\ningress: { baseDomain: example.com }\n", File, PlatformProviders.All);

        Assert.Equal(["local", "edge"], platform.Targets.Keys);
        Assert.Equal("podman", platform.Target("edge").Kind);
        Assert.Equal("podman at /run/user/1000/podman/podman.sock", PlatformProviders.All.Describe(platform.Target("edge")));
        Assert.Equal("docker at /var/run/docker.sock", PlatformProviders.All.Describe(platform.Target("local")));
        Assert.Equal("caddy", platform.Ingress?.Kind); // an ingress without a kind is the platform's first (and only) one
    }

    [Fact]
    public void An_unknown_kind_names_its_line_and_column_and_suggests_the_nearest_kind()
    {
        var error = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("targets:\n  local: { kind: dockr }\n", File, PlatformProviders.All));

        Assert.Contains($"{File}:2:18", error.Message, StringComparison.Ordinal);
        Assert.Contains("'dockr' is not a kind this platform has: docker, podman", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'docker'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_the_kind_does_not_have_is_refused_at_its_place()
    {
        var error = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("targets:\n  local:\n    kind: docker\n    sockett: /var/run/docker.sock\n", File, PlatformProviders.All));

        Assert.Contains($"{File}:4:5", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'sockett'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_without_a_kind_and_an_ingress_option_of_the_wrong_type_are_both_reported()
    {
        var error = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("targets:\n  local: { socket: /x.sock }\ningress: { httpsPort: many }\n", File, PlatformProviders.All));

        Assert.Contains("targets.local needs 'kind': one of docker, podman", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{File}:3:23", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a whole number, found 'many'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_top_level_key_is_refused_with_the_key_it_resembles()
    {
        var error = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("allowFileUrls: true\ntarget:\n  local: { kind: docker }\n", File, PlatformProviders.All));

        Assert.Contains($"{File}:2:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'target'", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'targets'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registry_is_read_as_the_push_target_and_a_clear_text_one_elsewhere_is_refused_at_its_place()
    {
        var platform = PlatformConfig.Parse("registry: https://reg.example.com/paas\n", File, PlatformProviders.All);
        Assert.Equal(new Gitops.Engine.Images.PushRegistry("reg.example.com", "paas"), platform.Registry);

        var error = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("targets:\n  local: { kind: docker }\nregistry: http://reg.example.com\n", File, PlatformProviders.All));
        Assert.Contains($"{File}:3:11", error.Message, StringComparison.Ordinal);
        Assert.Contains("plain http is accepted only for a registry on this machine", error.Message, StringComparison.Ordinal);

        var twice = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("registry: https://a.example.com\nregistry: https://b.example.com\n", File, PlatformProviders.All));
        Assert.Contains($"{File}:2:1", twice.Message, StringComparison.Ordinal); // the second one is named, not silently taken
    }
}
