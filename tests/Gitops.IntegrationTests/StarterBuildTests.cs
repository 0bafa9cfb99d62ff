using Gitops.Cli;
using Gitops.Providers.Docker;
using Gitops.Schema.Loading;

namespace Gitops.IntegrationTests;

/// <summary>What <c>paas init</c> writes builds on each real engine, service by service.</summary>
public sealed class StarterBuildTests
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var engine in new[] { "docker", "podman" })
        {
            foreach (var template in Starters.Names)
            {
                cases.Add(engine, template);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Init_starter_images_build(string engine, string template)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = await Engines.ConnectAsync(engine);
        var directory = Path.Combine(Path.GetTempPath(), $"paas-starter-{Guid.NewGuid():N}");
        try
        {
            using (var output = new StringWriter())
            {
                Assert.Equal(ExitCodes.Ok, PaasCli.Run(["init", "--template", template, "--name", "starter", directory], CliConsole.Plain(output, output)));
            }

            var manifest = ManifestLoader.LoadPath(directory);
            Assert.True(manifest.IsValid, string.Join("\n", manifest.Errors));
            var builds = manifest.Manifest!.Services.Where(s => s.Value.Build is not null).ToList();
            Assert.NotEmpty(builds);
            foreach (var (service, spec) in builds)
            {
                var tag = $"localhost/paas-starter/{template}-{service}:{Guid.NewGuid():N}";
                using var context = BuildContext.FromDirectory(Path.Combine(directory, spec.Build!.Context));
                await ImageBuilder.BuildAsync(client, context, tag, new Progress<string>(), cancellationToken, spec.Build.Dockerfile);
                Assert.True(await LocalBaseImage.ExistsAsync(client, tag, cancellationToken), $"{tag} was not built");
                await client.Images.DeleteImageAsync(tag, new Docker.DotNet.Models.ImageDeleteParameters { Force = true }, CancellationToken.None);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
