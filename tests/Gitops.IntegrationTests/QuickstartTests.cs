using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using Gitops.Cli;
using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Caddy;

namespace Gitops.IntegrationTests;

/// <summary>The README's first command: from nothing to the sample answering over HTTP, twice in a row.</summary>
public sealed partial class QuickstartTests
{
    [Fact]
    public async Task Quickstart_deploys_the_sample_from_git_and_prints_where_it_answers()
    {
        using var docker = await Engines.ConnectAsync("docker"); // quickstart's `local` is Docker when it runs
        var data = Directory.CreateTempSubdirectory("paas-quickstart-").FullName;
        try
        {
            var first = Quickstart(data);
            var second = Quickstart(data); // a second start reuses the repository and finds everything in sync

            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Contains("created the Git repository", first.Output, StringComparison.Ordinal);
            var urls = AnswersAt().Matches(first.Output).Select(m => (Environment: m.Groups[1].Value, Url: m.Groups[2].Value)).ToList();
            Assert.Equal(["dev", "production"], urls.Select(u => u.Environment).Order(StringComparer.Ordinal));
            using var http = new HttpClient();
            foreach (var (_, url) in urls)
            {
                Assert.Contains("Hello from paas", await http.GetStringAsync(new Uri(url)), StringComparison.Ordinal);
            }

            var https = HttpsAt().Matches(first.Output).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(2, https.Count); // the public URLs, through Caddy with its local CA
            using (var client = LocalHttps.Client(Path.Combine(data, "caddy", "storage", "pki", "authorities", "local", "root.crt")))
            {
                foreach (var url in https)
                {
                    Assert.Contains("Hello from paas", await client.GetStringAsync(new Uri(url)), StringComparison.Ordinal);
                }
            }

            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains("using the Git repository", second.Output, StringComparison.Ordinal);
            Assert.Equal(2, AnswersAt().Count(second.Output));
        }
        finally
        {
            await StopCaddyAsync(data);
            await RemoveHelloAsync(docker);
            Directory.Delete(data, recursive: true);
        }
    }

    private static CliRun Quickstart(string data)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run(["quickstart", "--data-dir", data, "--listen", $"http://127.0.0.1:{FreePort.Next()}", "--exit-when-ready", "--timeout", "120",
            "--https-port", Ports.Https.ToString(CultureInfo.InvariantCulture), "--http-port", Ports.Http.ToString(CultureInfo.InvariantCulture), "--ingress-admin-port", Ports.Admin.ToString(CultureInfo.InvariantCulture)], CliConsole.Plain(output, error), TextReader.Null);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    private static async Task RemoveHelloAsync(Docker.DotNet.DockerClient docker)
    {
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}=hello"] = true } };
        foreach (var container in await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }))
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }

        foreach (var network in await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }))
        {
            await docker.Networks.DeleteNetworkAsync(network.ID);
        }
    }

    [GeneratedRegex(@"hello/(\w+) answers at (http://[0-9.]+:8080/)")]
    private static partial Regex AnswersAt();

    [GeneratedRegex(@"answers at (https://web-\w+-hello\.localhost:\d+/)")]
    private static partial Regex HttpsAt();

    /// <summary>Free ports for this test's Caddy, so it never meets the one a real quick start runs.</summary>
    private static readonly (int Http, int Https, int Admin) Ports = (FreePort.Next(), FreePort.Next(), FreePort.Next());

    private static async Task StopCaddyAsync(string data)
    {
        using var caddy = new CaddyIngress(new IngressSpec { AdminPort = Ports.Admin }, data);
        await caddy.StopAsync(CancellationToken.None);
    }
}
