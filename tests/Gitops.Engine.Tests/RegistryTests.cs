using Gitops.Engine.Images;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Engine.Tests;

/// <summary>Image names as engines read them, the push registry's URL and path rule, and the logins kept encrypted.</summary>
public sealed class RegistryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-registry-").FullName;

    [Theory]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null)]
    [InlineData("team/app", "docker.io", "team/app", null, null)]
    [InlineData("index.docker.io/team/app:2", "docker.io", "team/app", "2", null)]
    [InlineData("127.0.0.1:5000/paas/shop/web:0123", "127.0.0.1:5000", "paas/shop/web", "0123", null)]
    [InlineData("ghcr.io/o/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ghcr.io", "o/app", null, "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("localhost/paas-shop-web:1", "localhost", "paas-shop-web", "1", null)]
    public void An_image_name_splits_into_registry_repository_tag_and_digest(string image, string registry, string repository, string? tag, string? digest)
    {
        Assert.Equal(new ImageReference(registry, repository, tag, digest), ImageReference.Parse(image));
    }

    [Fact]
    public void A_pinned_name_carries_the_digest_and_no_tag()
    {
        const string digest = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        Assert.Equal($"reg.example.com/paas/shop/web@{digest}", ImageReference.Parse("reg.example.com/paas/shop/web:abc").Pinned(digest));
    }

    [Theory]
    [InlineData("https://reg.example.com/paas", "reg.example.com", "paas")]
    [InlineData("https://reg.example.com:5000", "reg.example.com:5000", "")]
    [InlineData("http://127.0.0.1:5055/team/paas/", "127.0.0.1:5055", "team/paas")]
    [InlineData("http://localhost:5055", "localhost:5055", "")]
    public void A_registry_url_gives_the_host_and_the_namespace(string url, string host, string ns)
    {
        Assert.Equal(new PushRegistry(host, ns), PushRegistry.Parse(url));
    }

    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("reg.example.com:5000", false)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("docker.io", false)]
    public void Only_a_registry_on_this_machine_may_answer_plain_http(string registry, bool loopback)
    {
        Assert.Equal(loopback, ImageReference.IsLoopback(registry));
    }

    [Theory]
    [InlineData("http://reg.example.com/paas", "plain http is accepted only for a registry on this machine")]
    [InlineData("https://user:pw@reg.example.com", "has no user")]
    [InlineData("ftp://reg.example.com", "not a registry URL")]
    [InlineData("reg.example.com/paas", "not a registry URL")]
    [InlineData("https://reg.example.com/Bad Path", "not an image name")]
    public void A_registry_url_that_would_send_a_password_in_clear_or_cannot_name_images_is_refused(string url, string message)
    {
        var error = Assert.Throws<FormatException>(() => PushRegistry.Parse(url));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_built_image_goes_under_its_project_and_service()
    {
        Assert.Equal("reg.example.com/paas/shop/web:0123", PushRegistry.Parse("https://reg.example.com/paas").ImageFor("shop", "web", "0123"));
        Assert.Equal("reg.example.com/shop/web:0123", PushRegistry.Parse("https://reg.example.com").ImageFor("shop", "web", "0123"));
    }

    [Theory]
    [InlineData("reg.example.com/paas/bank/web:1", true)] // another project's build
    [InlineData("reg.example.com/paas/bank/web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("reg.example.com/paas/shopping/web:1", true)] // a prefix of the name is not the project
    [InlineData("REG.EXAMPLE.COM/paas/bank/web:1", true)]
    [InlineData("reg.example.com/paas/shop/web:1", false)] // its own
    [InlineData("reg.example.com/other/tool:1", false)] // outside the platform's namespace
    [InlineData("docker.io/library/busybox:1.36", false)]
    public void Another_projects_path_in_the_platforms_registry_is_refused(string image, bool refused)
    {
        var refusal = PushRegistry.Parse("https://reg.example.com/paas").Refusal(image, "shop");
        Assert.Equal(refused, refusal is not null);
        if (refusal is not null)
        {
            Assert.Contains("reg.example.com/paas/shop/", refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_registry_without_a_namespace_is_the_platforms_everywhere_but_the_projects_own_path()
    {
        var registry = PushRegistry.Parse("https://reg.example.com");
        Assert.NotNull(registry.Refusal("reg.example.com/library/app:1", "shop"));
        Assert.Null(registry.Refusal("reg.example.com/shop/web:1", "shop"));
    }

    [Fact]
    public void A_login_is_kept_encrypted_per_host_and_owner_and_its_password_never_shows_in_text()
    {
        using (var state = StateStore.Open(_directory))
        {
            var logins = new RegistryLogins(state);
            logins.Save(new RegistryLogin("Reg.Example.com:5000", "ci", "canary-pw-31c9"), null);
            logins.Save(new RegistryLogin("index.docker.io", "me", "hub-pw"), "shop");

            var login = logins.For("reg.example.com:5000", null);
            Assert.Equal(new RegistryLogin("reg.example.com:5000", "ci", "canary-pw-31c9"), login);
            Assert.DoesNotContain("canary-pw", login!.ToString(), StringComparison.Ordinal);
            Assert.Equal("me", logins.For(ImageReference.DockerHub, "shop")?.Username); // Docker Hub's other names are the same registry
            Assert.Null(logins.For("reg.example.com", null)); // another port is another registry
            Assert.Equal(
                [new RegistryLoginInfo("docker.io", "shop", default), new RegistryLoginInfo("reg.example.com:5000", null, default)],
                logins.List().Select(l => l with { SavedAt = default }).OrderBy(l => l.Host, StringComparer.Ordinal));
            Assert.Empty(new SecretStore(state).List("shop")); // not among the project's secrets
            Assert.True(logins.Remove("reg.example.com:5000", null));
            Assert.Null(logins.For("reg.example.com:5000", null));
        }

        foreach (var file in Directory.GetFiles(_directory))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf("hub-pw"u8) < 0, file);
        }
    }

    [Fact]
    public void A_projects_login_serves_that_project_alone_and_the_platforms_login_no_project()
    {
        using var state = StateStore.Open(_directory);
        var logins = new RegistryLogins(state);
        logins.Save(new RegistryLogin("ghcr.io", "shop-bot", "shop-token"), "shop");
        logins.Save(new RegistryLogin("reg.example.com", "platform", "platform-pw"), null);

        Assert.Equal("shop-bot", logins.For("ghcr.io", "shop")?.Username);
        Assert.Null(logins.For("ghcr.io", "bank")); // another project pulls anonymously
        Assert.Null(logins.For("ghcr.io", null));
        Assert.Null(logins.For("reg.example.com", "shop")); // the platform's login is not lent to a project's own pulls by name
    }

    [Theory]
    [InlineData("reg.example.com/paas/shop/web:1", true)]
    [InlineData("reg.example.com/paas/shop/web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("reg.example.com/paas/shopping/web:1", false)]
    [InlineData("reg.example.com/other/tool:1", false)] // on the host, outside the platform's namespace: the project's own login
    [InlineData("ghcr.io/paas/shop/web:1", false)]
    public void The_platforms_login_fetches_only_the_projects_own_path_in_its_registry(string image, bool platforms)
    {
        Assert.Equal(platforms, PushRegistry.Parse("https://reg.example.com/paas").Owns(ImageReference.Parse(image), "shop"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
