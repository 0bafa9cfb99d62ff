using Docker.DotNet.Models;
using Gitops.Engine.Desired;

namespace Gitops.IntegrationTests;

/// <summary>
/// A project runs only its own builds or images named from a registry: naming another project's
/// built image in image:, in FROM, or through a build arg is refused before anything builds or runs.
/// </summary>
public sealed class ForeignImageTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Another_projects_built_image_is_refused_in_image_FROM_and_build_args_with_nothing_built_or_run(string engine)
    {
        await using var victim = await EngineWorld.CreateAsync(engine);
        await using var attacker = await EngineWorld.CreateAsync(engine);
        File.WriteAllText(Path.Combine(victim.AppDirectory, "Dockerfile"),
            $"FROM {victim.Busybox}\nRUN echo victim-canary > /canary\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]\n");
        victim.WriteManifest("services:\n  web:\n    build: { context: . }\n    port: 8080\n");
        var deployed = victim.Apply();
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
        var stolen = (await victim.Client.Containers.InspectContainerAsync((await victim.ContainersAsync()).Keys.Single())).Config!.Image;
        Assert.StartsWith(Names.BuiltImagePrefix, stolen, StringComparison.Ordinal);
        try
        {
            attacker.WriteManifest($"services:\n  web:\n    image: {stolen}\n    command: [\"cat\", \"/canary\"]\n");
            var byImage = attacker.Apply();
            AssertRefused(byImage, "paas.yaml:7:12", "names a local image");
            Assert.Empty(await attacker.ContainersAsync());

            attacker.WriteManifest("services:\n  web:\n    build: { context: . }\n");
            foreach (var (dockerfile, line) in new[]
            {
                ($"FROM {stolen}\nRUN cat /canary\n", $"Dockerfile:1: FROM {stolen}"),
                ($"FROM {victim.Busybox} AS base\nFROM {stolen[Names.BuiltImagePrefix.Length..].Insert(0, "paas-")}\nRUN cat /canary\n", "Dockerfile:2: FROM paas-"),
                ($"FROM {victim.Busybox}\nCOPY --from={stolen} /canary /canary\nRUN cat /canary\n", $"Dockerfile:2: COPY --from {stolen}"),
            })
            {
                File.WriteAllText(Path.Combine(attacker.AppDirectory, "Dockerfile"), dockerfile);
                AssertRefused(attacker.Apply(), line, "");
            }

            File.WriteAllText(Path.Combine(attacker.AppDirectory, "Dockerfile"), $"ARG BASE={victim.Busybox}\nFROM $BASE\nRUN cat /canary\n");
            attacker.WriteManifest($"services:\n  web:\n    build: {{ context: ., args: {{ BASE: \"{stolen}\" }} }}\n");
            AssertRefused(attacker.Apply(), $"Dockerfile:2: FROM $BASE (= {stolen})", "");

            Assert.Empty(await attacker.ContainersAsync());
            Assert.Empty(await attacker.BuiltImagesAsync());
            Assert.Contains(stolen, await victim.BuiltImagesAsync()); // the same question finds the victim's build
        }
        finally
        {
            foreach (var container in (await victim.ContainersAsync()).Keys)
            {
                await victim.Client.Containers.RemoveContainerAsync(container, new ContainerRemoveParameters { Force = true });
            }

            await victim.Client.Images.DeleteImageAsync(stolen, new ImageDeleteParameters { Force = true });
        }
    }

    private static void AssertRefused(CliRun run, string place, string reason)
    {
        var text = run.ToString().Replace("\n", "", StringComparison.Ordinal); // the console wraps long lines
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.True(text.Contains(place, StringComparison.Ordinal) && text.Contains(reason, StringComparison.Ordinal), run.ToString());
        Assert.DoesNotContain("victim-canary", run.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Step 1", run.ToString(), StringComparison.Ordinal);
    }
}
