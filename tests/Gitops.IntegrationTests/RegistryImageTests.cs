using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// Images that travel through a real registry (Debian's docker-registry, started per test): an
/// image only the registry has is pulled with the project's saved login and run by its digest; a
/// wrong password fails the deployment with nothing changed; one project's login never pulls for
/// another; builds are pushed and run by the registry's digest, and a rollback fetches that digest
/// back when the engine lost it; another project's path in the platform's registry is refused.
/// </summary>
public sealed class RegistryImageTests
{
    private const string User = "ci";
    private const string Password = "registry-pw-5e1f0c"; // a canary: it must never be printed

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")]
    public async Task An_image_only_the_registry_has_is_pulled_with_the_projects_login_and_runs_by_its_digest(string engine)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var seeded = await SeededAsync(engine, ct);
        var (registry, world, image, digest) = (seeded.Registry, seeded.World, seeded.Image, seeded.Digest);
        Assert.False(await LocalBaseImage.ExistsAsync(world.Client, image, ct)); // the engine lacks it: only a pull can run it
        var login = world.PaasWithInput(Password + "\n", "registry", "login", registry.Host, "--username", User, "--project", world.Project);
        Assert.True(login.ExitCode == 0, login.ToString());
        world.WriteManifest("services:\n" + WebServiceOn(world, image));

        var applied = world.Apply();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        var pinned = $"{registry.Host}/{seeded.Repository}@{digest}";
        Assert.Contains($"web runs {pinned}", applied.Output, StringComparison.Ordinal);
        var container = await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).Single().Key, ct);
        Assert.Equal((await world.Client.Images.InspectImageAsync(pinned, ct)).ID, container.Image); // exactly the bytes the registry holds under that digest
        var history = world.Paas("history", world.AppDirectory, "--env", world.Environment, "--output", "json");
        Assert.Contains(pinned, history.Output, StringComparison.Ordinal); // the deployment records the digest it ran
        Assert.DoesNotContain(Password, applied.Output + applied.Error + history.Output + login.Output + login.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")]
    public async Task A_wrong_registry_password_fails_the_deployment_clearly_and_the_running_version_keeps_running(string engine)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var seeded = await SeededAsync(engine, ct);
        var (registry, world, image) = (seeded.Registry, seeded.World, seeded.Image);
        world.WriteManifest("services:\n" + world.WebService("web"));
        Assert.True(world.Apply().ExitCode == 0);
        var running = (await world.ContainersAsync()).Single();
        world.PaasWithInput("not-the-password\n", "registry", "login", registry.Host, "--username", User, "--project", world.Project);
        world.WriteManifest("services:\n" + WebServiceOn(world, image));

        var applied = world.Apply();

        Assert.NotEqual(0, applied.ExitCode);
        Assert.Contains($"{registry.Host} refused the login of {User}", applied.ToString(), StringComparison.Ordinal);
        Assert.Contains($"paas registry login {registry.Host}", applied.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", applied.ToString(), StringComparison.Ordinal);
        var after = await world.ContainersAsync();
        Assert.Equal([running.Key], after.Keys); // nothing half-deployed: the old replica alone, still running
        Assert.True(after[running.Key].Running);
        Assert.False(await LocalBaseImage.ExistsAsync(world.Client, image, ct));
    }

    /// <summary>Logins belong to a project: the platform never lends one tenant's (or its own) credentials to another tenant's pull.</summary>
    [Fact]
    public async Task Another_projects_login_and_the_platforms_login_never_pull_for_a_project()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var seeded = await SeededAsync("docker", ct);
        var (registry, owner, image) = (seeded.Registry, seeded.World, seeded.Image);
        await using var other = await EngineWorld.CreateAsync("docker");
        File.AppendAllText(Path.Combine(other.DataDirectory, "platform.yaml"), $"registry: https://{registry.Host}/paas\n");
        Assert.Equal(0, other.PaasWithInput(Password + "\n", "registry", "login", registry.Host, "--username", User, "--project", owner.Project).ExitCode);
        Assert.Equal(0, other.PaasWithInput(Password + "\n", "registry", "login", registry.Host, "--username", User).ExitCode); // the platform's own
        other.WriteManifest("services:\n" + WebServiceOn(other, image)); // outside paas/<project>/: not the platform's to fetch

        var applied = other.Apply();

        Assert.NotEqual(0, applied.ExitCode); // it went anonymously (Docker then reports the registry's TLS-only answer), so the registry refused it
        Assert.Contains($"pulling {image} failed", applied.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("refused the login", applied.ToString(), StringComparison.Ordinal);
        Assert.Empty(await other.ContainersAsync());
        Assert.False(await LocalBaseImage.ExistsAsync(other.Client, image, ct));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")]
    public async Task A_build_is_pushed_to_the_platforms_registry_and_runs_by_the_registrys_digest(string engine)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var platform = await PlatformRegistryAsync(engine, ct);
        var (registry, world) = (platform.Registry, platform.World);
        Directory.CreateDirectory(Path.Combine(world.AppDirectory, "web"));
        File.WriteAllText(Path.Combine(world.AppDirectory, "web", "Dockerfile"),
            $"FROM {world.Busybox}\nRUN echo {world.Project} > /etc/built\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]\n");
        world.WriteManifest("services:\n  web:\n    build: { context: web }\n    port: 8080\n    health: { path: /built, interval: 1s }\n");

        var applied = world.Apply();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        var tag = (await world.BuiltImagesAsync()).Single().Split(':')[^1];
        var repository = $"paas/{world.Project}/web";
        var digest = await registry.ManifestDigestAsync(repository, tag, ct);
        Assert.NotNull(digest); // the registry holds the build under the project's path
        Assert.True(applied.Output.Contains($"web runs {registry.Host}/{repository}@{digest}", StringComparison.Ordinal), $"registry: {digest}\n{applied}");
        var container = await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).Single().Key, ct);
        Assert.Equal((await world.Client.Images.InspectImageAsync($"{registry.Host}/{repository}@{digest}", ct)).ID, container.Image);
        Assert.Contains("No changes", world.Apply().Output, StringComparison.Ordinal); // the pin is outside the fingerprint
    }

    /// <summary>
    /// A rollback runs the digest the old deployment recorded: with the old build gone from the
    /// engine (a pruned machine, another node), it is fetched back from the registry.
    /// </summary>
    [Fact]
    public async Task A_rollback_fetches_the_old_deployments_digest_back_from_the_registry_when_the_engine_lost_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var platform = await PlatformRegistryAsync("docker", ct);
        var world = platform.World;
        var git = ServerLoopTests.App(world);
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        Assert.Equal(0, world.Paas("sync").ExitCode);
        var first = (await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).Single().Key, ct)).Image;
        git.Write("web/www/index.html", "version two\n");
        git.CommitAndPush("v2");
        Assert.Equal(0, world.Paas("sync").ExitCode);
        await ServerLoopTests.WaitForPageAsync(world, "version two");
        await world.Client.Images.DeleteImageAsync(first, new ImageDeleteParameters { Force = true }); // every name of version one
        Assert.False(await LocalBaseImage.ExistsAsync(world.Client, first, ct));

        var rollback = world.Paas("rollback", world.Project, "--env", "dev");

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        await ServerLoopTests.WaitForPageAsync(world, "version one");
        Assert.Equal(first, (await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).Single().Key, ct)).Image); // the same bytes
    }

    [Fact]
    public async Task Another_projects_path_in_the_platforms_registry_is_refused_in_image_and_FROM_with_nothing_run()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var platform = await PlatformRegistryAsync("docker", ct);
        var (registry, attacker) = (platform.Registry, platform.World);
        using var docker = await Engines.ConnectAsync("docker");
        var victims = $"paas/victim{attacker.Project}/web";
        await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), victims, "1", ct);
        var stolen = $"{registry.Host}/{victims}:1";

        attacker.WriteManifest("services:\n" + WebServiceOn(attacker, stolen));
        var byImage = attacker.Apply();
        File.WriteAllText(Path.Combine(attacker.AppDirectory, "Dockerfile"), $"FROM {stolen}\nRUN true\n");
        attacker.WriteManifest("services:\n  web:\n    build: { context: . }\n");
        var byFrom = attacker.Apply();

        Assert.NotEqual(0, byImage.ExitCode);
        Assert.Contains($"services.web.image: '{stolen}' is in the platform's registry but not under this project's path ({registry.Host}/paas/{attacker.Project}/)", byImage.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(0, byFrom.ExitCode);
        Assert.Contains($"Dockerfile:1: FROM {stolen}", byFrom.ToString(), StringComparison.Ordinal);
        Assert.Empty(await attacker.ContainersAsync());
        Assert.Empty(await attacker.BuiltImagesAsync());
        Assert.False(await LocalBaseImage.ExistsAsync(docker, stolen, ct)); // nothing pulled it
    }

    private static string WebServiceOn(EngineWorld world, string image) =>
        world.WebService("web").Replace($"image: {world.Busybox}", $"image: {image}", StringComparison.Ordinal);

    /// <summary>A password registry holding an image (seeded through Docker) that the world's engine lacks.</summary>
    private static async Task<Seeded> SeededAsync(string engine, CancellationToken ct)
    {
        var registry = await TestRegistry.StartWithPasswordAsync(User, Password, ct);
        var world = await EngineWorld.CreateAsync(engine);
        using var docker = await Engines.ConnectAsync("docker");
        var repository = $"team/{world.Project}";
        var digest = await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), repository, "1", ct);
        return new Seeded(registry, world, repository, digest);
    }

    private sealed record Seeded(TestRegistry Registry, EngineWorld World, string Repository, string Digest) : IAsyncDisposable
    {
        public string Image => $"{Registry.Host}/{Repository}:1";

        public async ValueTask DisposeAsync()
        {
            try
            {
                await EngineCleanup.RemoveProjectAsync(World.Client, World.Project);
                await RemoveImagesAsync(World.Client, Image, $"{Registry.Host}/{Repository}@{Digest}");
                await World.DisposeAsync();
            }
            finally
            {
                await Registry.DisposeAsync(); // a failed clean-up must not leave the registry process running
            }
        }
    }

    /// <summary>An anonymous registry on loopback that the world's platform.yaml names as the platform's registry.</summary>
    private static async Task<PlatformRegistry> PlatformRegistryAsync(string engine, CancellationToken ct)
    {
        var registry = await TestRegistry.StartAnonymousAsync(ct);
        var world = await EngineWorld.CreateAsync(engine);
        File.AppendAllText(Path.Combine(world.DataDirectory, "platform.yaml"), $"registry: http://{registry.Host}/paas\n");
        return new PlatformRegistry(registry, world);
    }

    private sealed record PlatformRegistry(TestRegistry Registry, EngineWorld World) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await EngineCleanup.RemoveProjectAsync(World.Client, World.Project);
            var pushed = await World.Client.Images.ListImagesAsync(new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [$"{Registry.Host}/paas/{World.Project}/*"] = true } },
            });
            try
            {
                await RemoveImagesAsync(World.Client, [.. pushed.Select(i => i.ID), .. await World.BuiltImagesAsync()]);
                await World.DisposeAsync();
            }
            finally
            {
                await Registry.DisposeAsync();
            }
        }
    }

    private static async Task RemoveImagesAsync(DockerClient client, params string[] names)
    {
        foreach (var name in names)
        {
            try
            {
                await client.Images.DeleteImageAsync(name, new ImageDeleteParameters { Force = true });
            }
            catch (DockerApiException)
            {
                // Gone already (not found), or named differently by Podman after a digest pull: nothing is left either way.
            }
        }
    }
}
