using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// The registry fixture does what the image tests rely on, against real engines: a seeded image is
/// gone from Docker under its registry name, comes back by the digest the push reported, the
/// password registry refuses a wrong password, and Podman trusts its CA and pulls with credentials.
/// </summary>
public sealed class TestRegistryTests
{
    [Fact]
    public async Task Anonymous_registry_gives_Docker_back_a_seeded_image_by_the_pushed_digest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = await Engines.ConnectAsync("docker");
        await using var registry = await TestRegistry.StartAnonymousAsync(ct);
        var repository = $"paas-test/{Guid.NewGuid():N}";

        var digest = await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), repository, "1", ct);

        var image = $"{registry.Host}/{repository}:1";
        Assert.False(await LocalBaseImage.ExistsAsync(docker, image, ct), "seeding left the registry name on the engine");
        Assert.False(await LocalBaseImage.ExistsAsync(docker, $"{registry.Host}/{repository}@{digest}", ct), "seeding left the digest reference on the engine");
        Assert.Equal(digest, await registry.ManifestDigestAsync(repository, "1", ct));
        try
        {
            await PullAsync(docker, registry.Host, repository, "1", registry.Auth, ct);
            var pulled = await docker.Images.InspectImageAsync(image, ct);
            Assert.Contains($"{registry.Host}/{repository}@{digest}", pulled.RepoDigests);
        }
        finally
        {
            await RemoveAsync(docker, image, $"{registry.Host}/{repository}@{digest}");
        }
    }

    [Fact]
    public async Task Password_registry_over_TLS_serves_the_right_password_and_refuses_a_wrong_one()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = await Engines.ConnectAsync("docker");
        await using var registry = await TestRegistry.StartWithPasswordAsync("pusher", $"right-{Guid.NewGuid():N}", ct);
        var repository = $"paas-test/{Guid.NewGuid():N}";
        Assert.True(registry.Tls);

        var digest = await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), repository, "1", ct);

        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);
        Assert.Equal(digest, await registry.ManifestDigestAsync(repository, "1", ct));
        Assert.Null(await registry.ManifestDigestAsync(repository, "absent", ct));

        var image = $"{registry.Host}/{repository}:1";
        var wrong = new AuthConfig { Username = "pusher", Password = "wrong", ServerAddress = registry.Host };
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => PullAsync(docker, registry.Host, repository, "1", wrong, ct));
            Assert.Matches("(?i)unauthorized|authentication required", error.Message);
            Assert.False(await LocalBaseImage.ExistsAsync(docker, image, ct), "a refused pull left the image on the engine");
        }
        finally
        {
            await RemoveAsync(docker, image, $"{registry.Host}/{repository}@{digest}");
        }
    }

    [Fact]
    public async Task Podman_trusts_the_registry_CA_and_pulls_with_its_credentials_through_the_compat_endpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = await Engines.ConnectAsync("docker");
        using var podman = await Engines.ConnectAsync("podman");
        await using var registry = await TestRegistry.StartWithPasswordAsync("puller", $"right-{Guid.NewGuid():N}", ct);
        var repository = $"paas-test/{Guid.NewGuid():N}";
        var digest = await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), repository, "1", ct);

        var image = $"{registry.Host}/{repository}:1";
        try
        {
            await PullAsync(podman, registry.Host, repository, "1", registry.Auth, ct);
            var pulled = await podman.Images.InspectImageAsync(image, ct);
            Assert.Contains($"{registry.Host}/{repository}@{digest}", pulled.RepoDigests);
        }
        finally
        {
            await RemoveAsync(podman, image);
        }
    }

    /// <summary>An engine pull (<c>POST /images/create</c> with X-Registry-Auth); an error in its progress stream throws.</summary>
    private static async Task PullAsync(DockerClient client, string host, string repository, string tag, AuthConfig auth, CancellationToken ct)
    {
        var progress = new TestRegistry.EngineProgress();
        await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = $"{host}/{repository}", Tag = tag }, auth, progress, ct);
        progress.ThrowOnError($"pulling {host}/{repository}:{tag}");
    }

    /// <summary>Removes exactly these image names (never the images other names hold).</summary>
    private static async Task RemoveAsync(DockerClient client, params string[] names)
    {
        foreach (var name in names)
        {
            try
            {
                await client.Images.DeleteImageAsync(name, new ImageDeleteParameters(), CancellationToken.None);
            }
            catch (DockerImageNotFoundException)
            {
                // never pulled, or already gone with the other name
            }
        }
    }
}
