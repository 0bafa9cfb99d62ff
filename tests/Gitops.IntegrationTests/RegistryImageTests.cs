using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// Images that travel through a real registry (Debian's docker-registry, started per test): an
/// image only the registry has is pulled with the saved login and run by its digest; a wrong
/// password fails the deployment with nothing changed; builds are pushed and run by the pushed
/// digest; another project's path in the platform's registry is refused.
/// </summary>
public sealed class RegistryImageTests
{
    private const string User = "ci";
    private const string Password = "registry-pw-5e1f0c"; // a canary: it must never be printed

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task An_image_only_the_registry_has_is_pulled_with_the_saved_login_and_runs_by_its_digest(string engine)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await TestRegistry.StartWithPasswordAsync(User, Password, ct);
        await using var world = await EngineWorld.CreateAsync(engine);
        using var docker = await Engines.ConnectAsync("docker");
        var repository = $"team/{world.Project}";
        var digest = await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), repository, "1", ct);
        var image = $"{registry.Host}/{repository}:1";
        try
        {
            Assert.False(await LocalBaseImage.ExistsAsync(world.Client, image, ct)); // the engine lacks it: only a pull can run it
            var login = world.PaasWithInput(Password + "\n", "registry", "login", registry.Host, "--username", User);
            Assert.True(login.ExitCode == 0, login.ToString());
            world.WriteManifest("services:\n" + world.WebService("web").Replace($"image: {world.Busybox}", $"image: {image}", StringComparison.Ordinal));

            var applied = world.Apply();

            Assert.True(applied.ExitCode == 0, applied.ToString());
            Assert.Contains($"web runs {registry.Host}/{repository}@{digest}", applied.Output, StringComparison.Ordinal);
            var container = await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).Single().Key, ct);
            var pulled = await world.Client.Images.InspectImageAsync($"{registry.Host}/{repository}@{digest}", ct);
            Assert.Equal(pulled.ID, container.Image); // it runs exactly the bytes the registry holds under that digest
            var history = world.Paas("history", world.AppDirectory, "--env", world.Environment, "--output", "json");
            Assert.Contains($"{registry.Host}/{repository}@{digest}", history.Output, StringComparison.Ordinal); // the deployment records the digest it ran
            Assert.DoesNotContain(Password, applied.Output + applied.Error + history.Output + login.Output + login.Error, StringComparison.Ordinal);
        }
        finally
        {
            await EngineCleanup.RemoveProjectAsync(world.Client, world.Project);
            await RemoveImageAsync(world.Client, image, $"{registry.Host}/{repository}@{digest}");
        }
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_wrong_registry_password_fails_the_deployment_clearly_and_the_running_version_keeps_running(string engine)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await TestRegistry.StartWithPasswordAsync(User, Password, ct);
        await using var world = await EngineWorld.CreateAsync(engine);
        using var docker = await Engines.ConnectAsync("docker");
        var repository = $"team/{world.Project}";
        await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), repository, "2", ct);
        var image = $"{registry.Host}/{repository}:2";
        try
        {
            world.WriteManifest("services:\n" + world.WebService("web"));
            Assert.True(world.Apply().ExitCode == 0);
            var running = (await world.ContainersAsync()).Single();
            world.PaasWithInput("not-the-password\n", "registry", "login", registry.Host, "--username", User);
            world.WriteManifest("services:\n" + world.WebService("web").Replace($"image: {world.Busybox}", $"image: {image}", StringComparison.Ordinal));

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
        finally
        {
            await EngineCleanup.RemoveProjectAsync(world.Client, world.Project);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_build_is_pushed_to_the_platforms_registry_and_runs_by_the_pushed_digest(string engine)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await TestRegistry.StartAnonymousAsync(ct);
        await using var world = await EngineWorld.CreateAsync(engine);
        File.AppendAllText(Path.Combine(world.DataDirectory, "platform.yaml"), $"registry: http://{registry.Host}/paas\n");
        Directory.CreateDirectory(Path.Combine(world.AppDirectory, "web"));
        File.WriteAllText(Path.Combine(world.AppDirectory, "web", "Dockerfile"),
            $"FROM {world.Busybox}\nRUN echo {world.Project} > /etc/built\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]\n");
        world.WriteManifest("services:\n  web:\n    build: { context: web }\n    port: 8080\n    health: { path: /built, interval: 1s }\n");
        string? tag = null;
        try
        {
            var applied = world.Apply();

            Assert.True(applied.ExitCode == 0, applied.ToString());
            tag = (await world.BuiltImagesAsync()).Single().Split(':')[^1];
            var repository = $"paas/{world.Project}/web";
            var digest = await registry.ManifestDigestAsync(repository, tag, ct);
            Assert.NotNull(digest); // the registry holds the build under the project's path
            Assert.True(applied.Output.Contains($"web runs {registry.Host}/{repository}@{digest}", StringComparison.Ordinal), $"registry: {digest}\n{applied}");
            var container = await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).Single().Key, ct);
            Assert.Equal((await world.Client.Images.InspectImageAsync($"{registry.Host}/{repository}@{digest}", ct)).ID, container.Image);

            var again = world.Apply(); // the pin is outside the fingerprint: nothing to do
            Assert.Contains("No changes", again.Output, StringComparison.Ordinal);
        }
        finally
        {
            await EngineCleanup.RemoveProjectAsync(world.Client, world.Project);
            if (tag is not null)
            {
                await RemoveImageAsync(world.Client, $"{registry.Host}/paas/{world.Project}/web:{tag}");
            }

            foreach (var built in await world.BuiltImagesAsync())
            {
                await RemoveImageAsync(world.Client, built);
            }
        }
    }

    [Fact]
    public async Task Another_projects_path_in_the_platforms_registry_is_refused_in_image_and_FROM_with_nothing_run()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await TestRegistry.StartAnonymousAsync(ct);
        await using var attacker = await EngineWorld.CreateAsync("docker");
        using var docker = await Engines.ConnectAsync("docker");
        File.AppendAllText(Path.Combine(attacker.DataDirectory, "platform.yaml"), $"registry: http://{registry.Host}/paas\n");
        var victims = $"paas/victim{attacker.Project}/web";
        await registry.SeedAsync(docker, LocalBaseImage.Name(EngineKind.Docker), victims, "1", ct);
        var stolen = $"{registry.Host}/{victims}:1";

        attacker.WriteManifest("services:\n" + attacker.WebService("web").Replace($"image: {attacker.Busybox}", $"image: {stolen}", StringComparison.Ordinal));
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

    private static async Task RemoveImageAsync(DockerClient client, params string[] names)
    {
        foreach (var name in names)
        {
            try
            {
                await client.Images.DeleteImageAsync(name, new ImageDeleteParameters { Force = true });
            }
            catch (DockerImageNotFoundException)
            {
            }
            catch (DockerApiException)
            {
                // Podman names a digest reference it no longer has differently; nothing is left either way.
            }
        }
    }
}
