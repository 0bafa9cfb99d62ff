using System.Text.Json;
using Docker.DotNet.Models;
using Gitops.Cli;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.IntegrationTests;

/// <summary>
/// Each Compose file under tests/Compose, imported with paas import and deployed with paas apply
/// on real Docker: every service runs, public ones answer HTTPS through the ingress at their
/// domain, private ones answer on their port. The images the files name are stand-ins made on the
/// engine first (<see cref="ComposeStandIns"/> says what they are and are not); build: services are
/// built from the files' own Dockerfiles, which are stand-ins too (FROM busybox:1.36).
/// </summary>
public sealed class ComposeImportDeployTests
{
    public static TheoryData<string> Fixtures() =>
        new(Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "tests", "Compose")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Imported_compose_file_deploys_on_docker_and_its_services_answer(string fixture)
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var world = await EngineWorld.CreateAsync("docker", environment: "production");
        Copy(Path.Combine(RepositoryRoot.Path, "tests", "Compose", fixture), world.AppDirectory);
        var compose = Gitops.Cli.Commands.ImportCommand.DefaultFiles.Select(f => Path.Combine(world.AppDirectory, f)).First(File.Exists);

        var import = Import(compose, world.Project);
        Assert.True(import.ExitCode == 0, import.ToString());
        using var json = JsonDocument.Parse(import.Output);
        var manifest = ManifestLoader.LoadPath(world.AppDirectory).Manifest!;
        foreach (var secret in json.RootElement.GetProperty("secrets").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Distinct())
        {
            var set = world.PaasWithInput($"value-of-{secret.ToLowerInvariant()}\n", "secrets", "set", world.Project, secret);
            Assert.True(set.ExitCode == 0, set.ToString()); // what the import told the user to do before the first deploy
        }

        await using var standIns = new ComposeStandIns(world.Client);
        await standIns.MakeAsync(manifest, cancellation);
        await using var ingress = new IngressWorld(world);
        try
        {
            var apply = world.Paas("apply", world.AppDirectory, "--env", "production", "--yes");
            Assert.True(apply.ExitCode == 0, apply.ToString());

            var containers = await world.ContainersAsync();
            foreach (var (name, service) in manifest.Services)
            {
                Assert.True(containers.Values.Count(c => c.Service == name && c.Running) == service.Replicas, $"{name}: {service.Replicas} replica(s) should run; containers: {string.Join(", ", containers.Select(c => $"{c.Key} {(c.Value.Running ? "running" : "stopped")}"))}");
            }

            foreach (var (name, service) in manifest.Services.Where(s => s.Value.Port is not null))
            {
                var body = service.Public
                    ? await ingress.WaitForAsync(ingress.Https(service.Domains.Count > 0 ? service.Domains[0] : $"{name}-production-{world.Project}.localhost", "/"))
                    : await GetAsync(world, containers.First(c => c.Value.Service == name).Key, service.Port!.Value);
                Assert.False(string.IsNullOrWhiteSpace(body), $"{name} answered with nothing");
            }
        }
        finally
        {
            // The containers go first: a stand-in still in use would only lose its name (the world removes them again, harmlessly).
            await EngineCleanup.RemoveProjectAsync(world.Client, world.Project);
            foreach (var image in await world.BuiltImagesAsync())
            {
                await world.Client.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true }, CancellationToken.None);
            }
        }
    }

    private static CliRun Import(string compose, string project)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run(["import", compose, "--project", project, "--output", "json"], CliConsole.Plain(output, error));
        return JsonOutputCheck.Checked(["import", compose, "--project", project, "--output", "json"], new CliRun(code, output.ToString(), error.ToString()));
    }

    /// <summary>A private service answers HTTP on its port at its container's address (the host reaches it; nothing outside the project's network does).</summary>
    private static async Task<string> GetAsync(EngineWorld world, string container, int port)
    {
        var inspect = await world.Client.Containers.InspectContainerAsync(container);
        var address = inspect.NetworkSettings!.Networks.Single().Value.IPAddress;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var last = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            try
            {
                return await http.GetStringAsync(new Uri($"http://{address}:{port}/"));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
        }

        throw new TimeoutException($"{container} did not answer on {address}:{port} within 30 s: {last}");
    }

    private static void Copy(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
