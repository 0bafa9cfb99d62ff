using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using Gitops.Engine.Ingress;
using Gitops.Cli;
using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Caddy;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// The README's first command: from nothing to the sample answering over HTTP, twice in a row.
/// The test's quick start deploys the sample under a project name of its own, so it never meets
/// (nor cleans up) the user's real quick start of <c>hello</c> on the same machine.
/// </summary>
public sealed partial class QuickstartTests
{
    [Fact]
    public async Task Quickstart_deploys_the_sample_from_git_and_prints_where_it_answers()
    {
        using var docker = await Engines.ConnectAsync("docker"); // quickstart's `local` is Docker when it runs
        var data = Directory.CreateTempSubdirectory("paas-quickstart-").FullName;
        var project = $"qs{Guid.NewGuid():N}"[..12];
        var bystander = await BystanderAsync(docker); // what a real `./paas quickstart` left: paas.project=hello
        try
        {
            await QuickstartTwiceAsync(data, project);
            var hello = await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = ByLabel(Labels.Project, "hello") });
            Assert.Contains(hello, c => c.ID == bystander);
        }
        finally
        {
            await StopCaddyAsync(data);
            await RemoveOwnAsync(docker, project);
            await docker.Containers.RemoveContainerAsync(bystander, new ContainerRemoveParameters { Force = true });
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task QuickstartTwiceAsync(string data, string project)
    {
        var first = Quickstart(data, project, $"http://127.0.0.1:{FreePort.Next()}");
        var secondListen = $"http://127.0.0.1:{FreePort.Next()}";
        var second = Quickstart(data, project, secondListen); // a second start reuses the repository and finds everything in sync

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"created the repository {Path.Combine(data, project)}.git from samples/hello", first.Output, StringComparison.Ordinal);
        // People read plain progress lines, each step with its time, and one closing block; the server's records go to its log file.
        Assert.DoesNotContain("info:", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.", first.Output + first.Error, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"✓ server on http://127\.0\.0\.1:\d+, polling the repository every 5 s; its log: .*server\.log \d+\.\d s"), first.Output);
        Assert.Contains("Microsoft.Hosting.Lifetime: Now listening on", File.ReadAllText(Path.Combine(data, "server.log")), StringComparison.Ordinal);
        foreach (var label in new[] { "Ready in", "Dashboard", "Change it", "Promote it", "See it", "Stop" })
        {
            Assert.Contains(label, first.Output, StringComparison.Ordinal);
        }

        Assert.Matches(new Regex(@"owner's password, shown this once: \S{20,}"), first.Output);
        var urls = AnswersAt(project).Matches(first.Output).Select(m => (Environment: m.Groups[1].Value, Url: m.Groups[2].Value)).ToList();
        Assert.Equal(["dev", "production"], urls.Select(u => u.Environment).Order(StringComparer.Ordinal));
        using var http = new HttpClient();
        foreach (var (_, url) in urls)
        {
            Assert.Contains("Hello from paas", await http.GetStringAsync(new Uri(url)), StringComparison.Ordinal);
        }

        var https = HttpsAt(project).Matches(first.Output).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, https.Count); // the public URLs, through Caddy with its local CA
        using (var client = LocalHttps.Client(Path.Combine(data, "caddy", "storage", "pki", "authorities", "local", "root.crt")))
        {
            foreach (var url in https)
            {
                Assert.Contains("Hello from paas", await client.GetStringAsync(new Uri(url)), StringComparison.Ordinal);
            }
        }

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("using the repository", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("shown this once", second.Output, StringComparison.Ordinal); // the password exists already; a new link is printed
        Assert.Equal(secondListen, Gitops.Cli.Remote.Login.Load(data)!.Server); // the printed commands ask the server this start ran
        Assert.NotEqual(SignInLink().Match(first.Output).Value, SignInLink().Match(second.Output).Value);
        Assert.Equal(2, AnswersAt(project).Count(second.Output));
    }

    private static CliRun Quickstart(string data, string project, string listen)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run([.. Arguments(data, project, listen), "--exit-when-ready"], CliConsole.Plain(output, error), TextReader.Null);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    internal static string[] Arguments(string data, string project, string listen) =>
        ["quickstart", "--data-dir", data, "--project", project, "--listen", listen, "--timeout", "120",
            "--https-port", Ports.Https.ToString(CultureInfo.InvariantCulture), "--http-port", Ports.Http.ToString(CultureInfo.InvariantCulture), "--ingress-admin-port", Ports.Admin.ToString(CultureInfo.InvariantCulture), "--ingress-router-port", Ports.Router.ToString(CultureInfo.InvariantCulture)];

    internal static Regex SignInLink() => new(@"http://127\.0\.0\.1:\d+/#/signin/[A-Za-z0-9_-]{40,}", RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>A stopped container labelled as the user's own quick start: the test must leave it alone.</summary>
    internal static async Task<string> BystanderAsync(Docker.DotNet.DockerClient docker)
    {
        await LocalBusybox.EnsureAsync(docker, EngineKind.Docker, new Progress<string>(), CancellationToken.None);
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"paas-test-bystander-{Guid.NewGuid():N}",
            Image = LocalBusybox.Name(EngineKind.Docker),
            Cmd = ["true"],
            Labels = new Dictionary<string, string> { [Labels.Project] = "hello" }, // no environment label: no observer takes it for its own
        });
        return created.ID;
    }

    /// <summary>Only what this test's quick start made: the project name is unique to this run.</summary>
    internal static async Task RemoveOwnAsync(Docker.DotNet.DockerClient docker, string project)
    {
        var own = ByLabel(Labels.Project, project);
        foreach (var container in await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = own }))
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }

        foreach (var network in await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = own }))
        {
            await docker.Networks.DeleteNetworkAsync(network.ID);
            await Gitops.Providers.Docker.NetworkIsolation.RemoveAsync(network.ID, CancellationToken.None); // its walls go with it
        }

        var builtPrefix = $"localhost/paas-{project}-";
        foreach (var image in await docker.Images.ListImagesAsync(new ImagesListParameters()))
        {
            foreach (var tag in (image.RepoTags ?? []).Where(t => t.StartsWith(builtPrefix, StringComparison.Ordinal)))
            {
                await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters());
            }
        }
    }

    private static Dictionary<string, IDictionary<string, bool>> ByLabel(string label, string value) =>
        new() { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } };

    private static Regex AnswersAt(string project) => new($@"{project}/(\w+) deployed [0-9a-f]{{12}} and answers at (http://[0-9.]+:8080/)", RegexOptions.None, TimeSpan.FromSeconds(1));

    internal static Regex HttpsAt(string project) => new($@"answers at (https://web-\w+-{project}\.localhost:\d+/)", RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>Free ports for this test's Caddy, so it never meets the one a real quick start runs.</summary>
    private static readonly (int Http, int Https, int Admin, int Router) Ports = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());

    internal static async Task StopCaddyAsync(string data)
    {
        using var caddy = new CaddyIngress(new CaddyOptions { AdminPort = Ports.Admin, RouterPort = Ports.Router }, data);
        await caddy.StopAsync(CancellationToken.None);
    }
}
