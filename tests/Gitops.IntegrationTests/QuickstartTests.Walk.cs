using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using Gitops.Cli;
using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gitops.IntegrationTests;

/// <summary>
/// The quick start as a newcomer follows its closing block, with the server left running: the
/// printed sign-in link opens the dashboard in Chromium (once), and the README's path runs on the
/// quick start's own repositories: commit in the clone and push → dev deploys → paas promote
/// --merge → production serves the same image.
/// </summary>
public sealed partial class QuickstartTests
{
    [Fact]
    public async Task The_printed_sign_in_opens_the_dashboard_once_and_a_pushed_commit_reaches_production_by_promotion()
    {
        using var docker = await Engines.ConnectAsync("docker");
        var data = Directory.CreateTempSubdirectory("paas-quickstart-walk-").FullName;
        var project = $"qw{Guid.NewGuid():N}"[..12];
        var output = new StringWriter();
        var shared = TextWriter.Synchronized(output); // the quick start writes while the test reads
        using var cancel = new CancellationTokenSource();
        var console = CliConsole.Plain(shared, shared) with { Cancellation = cancel.Token };
        var run = Task.Run(() => PaasCli.Run(Arguments(data, project, $"http://127.0.0.1:{FreePort.Next()}"), console, TextReader.Null));
        try
        {
            var printed = await UntilPrintedAsync(shared, output, run, "Ctrl+C stops the server");
            await SignInByTheLinkAsync(SignInLink().Match(printed).Value, project);

            var authority = Path.Combine(data, "caddy", "storage", "pki", "authorities", "local", "root.crt");
            var urls = HttpsAt(project).Matches(printed).Select(m => m.Groups[1].Value).Distinct().ToList();
            var dev = Assert.Single(urls, u => u.Contains("-dev-", StringComparison.Ordinal));
            var production = Assert.Single(urls, u => u.Contains("-production-", StringComparison.Ordinal));

            // "Change it", as printed: in the clone, on develop, commit and push.
            var clone = Path.Combine(data, project);
            Assert.Contains($"cd {clone} && git switch develop", printed, StringComparison.Ordinal);
            GitWorkTree.Git(clone, "switch", "-q", "develop");
            File.WriteAllText(Path.Combine(clone, "www", "index.html"), "<h1>Changed by the walk</h1>\n");
            GitWorkTree.Git(clone, "-c", "user.name=Newcomer", "-c", "user.email=new@example.com", "commit", "-q", "-am", "my change");
            GitWorkTree.Git(clone, "push", "-q");
            await UntilServedAsync(authority, dev, "Changed by the walk");

            // "Promote it", as printed (through the quick start's running server, by its saved login).
            var promote = Regex.Match(printed, @"\./paas (promote .*)$", RegexOptions.Multiline, TimeSpan.FromSeconds(1)).Groups[1].Value.Split(' ');
            Assert.Equal(["promote", project, "--from", "dev", "--to", "production", "--merge", "--data-dir", data], promote);
            using var promoted = new StringWriter();
            Assert.Equal(0, PaasCli.Run(promote, CliConsole.Plain(promoted, promoted), TextReader.Null));
            Assert.Contains("fast-forwarded main", promoted.ToString(), StringComparison.Ordinal);
            await UntilServedAsync(authority, production, "Changed by the walk");

            // Once the replaced replicas drained: dev's one and production's two run one image; nothing was rebuilt.
            var deadline = DateTime.UtcNow + InProcessServer.Patience;
            List<ContainerListResponse> web;
            while ((web = await WebReplicasAsync(docker, project)).Count != 3)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{web.Count} web replicas still run");
                await Task.Delay(500);
            }

            Assert.Single(web.Select(c => c.Image).Distinct());
        }
        finally
        {
            await cancel.CancelAsync();
            await run;
            await StopCaddyAsync(data);
            await RemoveOwnAsync(docker, project);
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<List<ContainerListResponse>> WebReplicasAsync(Docker.DotNet.DockerClient docker, string project) =>
        (await docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = ByLabel(Labels.Project, project) }))
            .Where(c => c.Labels.TryGetValue(Labels.Service, out var service) && service == "web").ToList();

    /// <summary>The link signs a fresh browser in as the owner, who sees the sample's environments; the same link a second time is refused.</summary>
    private static async Task SignInByTheLinkAsync(string link, string project)
    {
        Assert.NotEmpty(link);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await UiTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(link);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = project, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "dev" }).First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "production" }).First).ToBeVisibleAsync();
        Assert.DoesNotContain("signin", page.Url, StringComparison.Ordinal); // the secret leaves the address bar

        var again = await (await browser.NewContextAsync()).NewPageAsync();
        await again.GotoAsync(link);
        await Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("used already");
        await Expect(again.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Equal(0, await again.GetByRole(AriaRole.Heading, new() { Name = project, Exact = true }).CountAsync());
    }

    private static async Task<string> UntilPrintedAsync(TextWriter shared, StringWriter output, Task<int> run, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (true)
        {
            string printed;
            lock (shared)
            {
                printed = output.ToString();
            }

            if (printed.Contains(text, StringComparison.Ordinal))
            {
                return printed;
            }

            Assert.False(run.IsCompleted, $"the quick start ended early:\n{printed}");
            Assert.True(DateTime.UtcNow < deadline, $"the quick start did not print '{text}':\n{printed}");
            await Task.Delay(250);
        }
    }

    private static async Task UntilServedAsync(string authority, string url, string text)
    {
        using var client = LocalHttps.Client(authority);
        var deadline = DateTime.UtcNow + InProcessServer.Patience;
        var last = "";
        while (!last.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{url} never served '{text}'; last: {last}");
            await Task.Delay(500);
            try
            {
                last = await client.GetStringAsync(new Uri(url));
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
        }
    }
}
