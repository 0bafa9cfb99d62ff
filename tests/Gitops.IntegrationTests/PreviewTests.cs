using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;

namespace Gitops.IntegrationTests;

/// <summary>
/// Preview environments per pull request, end to end: a real bare repository holding the forge's
/// pull request refs (<c>refs/pull/N/head</c>, as GitHub publishes them), signed webhooks to the
/// in-process server, the FAKE forge for comments, Docker and a real Caddy for the URLs.
/// </summary>
public sealed class PreviewTests
{
    private const string Secret = "preview-webhook-secret-0123";

    [Fact]
    public async Task A_pull_request_gets_a_preview_whose_comment_follows_each_push_and_nothing_is_left_after_it_closes()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        await using var ingress = new IngressWorld(world);
        var git = App(world, "previews: { enabled: true, ttl: 1h, max: 3 }\n");
        git.CommitAndPush("v1");
        await using var forge = await ConfigureAsync(world, git);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));

        var first = PushPullRequest(git, 7, "preview one");
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("opened", 7, "acme/shop"), "d1"));
        var comment = await CommentAsync(forge, 7, first[..12]);
        var url = new Uri(UrlIn(comment));
        Assert.Equal(ingress.Https($"web-pr-7-{world.Project}.localhost"), url); // its own domain, through the ingress
        Assert.Equal("preview one\n", await ingress.WaitForAsync(url, "preview one"));
        Assert.Contains("Removed when this pull request closes or merges, or after 1h without a push", comment, StringComparison.Ordinal);

        var second = PushPullRequest(git, 7, "preview two");
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("synchronize", 7, "acme/shop"), "d2"));
        await CommentAsync(forge, 7, second[..12]);
        Assert.Equal("preview two\n", await ingress.WaitForAsync(url, "preview two"));
        var (_, writes) = Assert.Single(forge.CommentsOn(7)); // updated, not repeated
        Assert.Equal(2, writes);
        var running = await PreviewLeftoversAsync(world, "pr-7");
        Assert.Equal(["container", "network", "volume"], running.Select(r => r.Split(' ')[0]).Distinct().Order(StringComparer.Ordinal)); // so their absence below means something

        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("closed", 7, "acme/shop"), "d3"));
        var removed = await CommentAsync(forge, 7, "preview removed: the pull request was closed");
        Assert.Contains("Nothing of `pr-7` is left running", removed, StringComparison.Ordinal);
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-7")); // containers, networks and volumes
        await ServerLoopTests.WaitForPageAsync(world, "version one"); // dev untouched
        using var environments = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/environments") { Headers = { { "Authorization", $"Bearer {server.Token}" } } });
        Assert.DoesNotContain("pr-7", await environments.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fork_is_not_built_without_opt_in_expired_and_surplus_previews_go_and_a_forged_event_changes_nothing()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = App(world, "previews: { enabled: true, ttl: 1h, max: 2 }\n");
        git.CommitAndPush("v1");
        await using var forge = await ConfigureAsync(world, git);
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1), clock);

        // A forged event (wrong signature) opens nothing.
        PushPullRequest(git, 3, "forged");
        var forged = PullRequest("opened", 3, "acme/shop");
        Assert.Equal(HttpStatusCode.Unauthorized, await WebhookAsync(server, world.Project, forged, "f1", "wrong-secret-0123456789"));

        // From a fork, without previews.forks: said on the pull request, nothing built.
        PushPullRequest(git, 8, "from a stranger");
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("opened", 8, "stranger/shop"), "f2"));
        var refused = await CommentAsync(forge, 8, "comes from a fork");
        Assert.Contains("previews.forks: true would, never with secrets", refused, StringComparison.Ordinal);
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-8"));
        Assert.Empty(forge.CommentsOn(3));
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-3"));

        // Three open pull requests over max: 2; the one pushed to least recently goes.
        foreach (var number in new[] { 10, 11 })
        {
            PushPullRequest(git, number, $"preview {number}");
            Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("opened", number, "acme/shop"), $"o{number}"));
            await CommentAsync(forge, number, "deployed as environment");
            clock.Now += TimeSpan.FromMinutes(1);
        }

        PushPullRequest(git, 12, "preview 12");
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("opened", 12, "acme/shop"), "o12"));
        await CommentAsync(forge, 12, "deployed as environment");
        Assert.Contains("more than previews.max (2) previews are open", await CommentAsync(forge, 10, "preview removed"), StringComparison.Ordinal);
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-10"));
        Assert.NotEmpty(await PreviewLeftoversAsync(world, "pr-11"));

        // No push for longer than ttl: the next pass removes them.
        clock.Now += TimeSpan.FromHours(2);
        using (var sync = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sync/{world.Project}") { Headers = { { "Authorization", $"Bearer {server.Token}" } }, Content = new StringContent("{}", Encoding.UTF8, "application/json") })
        {
            using var response = await server.Http.SendAsync(sync);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Contains("no push for 1h (previews.ttl)", await CommentAsync(forge, 11, "preview removed"), StringComparison.Ordinal);
        await CommentAsync(forge, 12, "preview removed");
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-11"));
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-12"));
    }

    [Fact]
    public async Task A_fork_with_opt_in_is_built_but_never_given_the_projects_secrets()
    {
        const string Canary = "canary-preview-secret-4b7e";
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = App(world, "previews: { enabled: true, forks: true }\n", "    secrets: [API_KEY]\n");
        git.CommitAndPush("v1");
        await using var forge = await ConfigureAsync(world, git);
        Assert.Equal(0, world.PaasWithInput(Canary, "secrets", "set", world.Project, "API_KEY").ExitCode); // every environment of the project
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));

        PushPullRequest(git, 8, "from a stranger");
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("opened", 8, "stranger/shop"), "s1"));
        PushPullRequest(git, 9, "from the team");
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("opened", 9, "acme/shop"), "s2"));

        var fork = await CommentAsync(forge, 8, "needs secret API_KEY, which has no value for");
        await CommentAsync(forge, 9, "deployed as environment `pr-9`");
        var team = await world.Client.Containers.ListContainersAsync(new ContainersListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={world.Project}"] = true, [$"{Labels.Environment}=pr-9"] = true } } });
        var environment = (await world.Client.Containers.InspectContainerAsync(team.First().ID)).Config?.Env;

        Assert.Contains($"API_KEY={Canary}", environment ?? []); // the team's own pull request gets the project's secret
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-8")); // the fork's code never ran with it, nor without it
        Assert.DoesNotContain(Canary, fork, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_previews_on_the_target_branch_a_pull_request_deploys_nothing_and_gets_no_comment()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = App(world, "");
        git.CommitAndPush("v1");
        await using var forge = await ConfigureAsync(world, git);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        await server.WaitForReconcilesAsync(1);

        PushPullRequest(git, 4, "not asked for");
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(server, world.Project, PullRequest("opened", 4, "acme/shop"), "n1"));
        await server.WaitForReconcilesAsync(2);

        Assert.Empty(forge.CommentsOn(4));
        Assert.Empty(await PreviewLeftoversAsync(world, "pr-4"));
        Assert.Empty(new Gitops.Engine.Previews.PreviewRecords(server.State).List(world.Project)); // nothing kept either
    }

    private static GitWorkTree App(EngineWorld world, string previews, string webExtra = "")
    {
        var git = new GitWorkTree(world.Root);
        git.Write("paas.yaml", $"version: 1\nproject: {world.Project}\nenvironments:\n  dev: {{ branch: dev }}\n{previews}services:\n  web:\n    build: {{ context: web }}\n    port: 8080\n    public: true\n    volumes: {{ cache: /cache }}\n    health: {{ path: /index.html, interval: 1s }}\n    deploy: {{ drain: 1s }}\n{webExtra}");
        git.Write("web/Dockerfile", $"FROM {world.Busybox}\nCOPY www /www\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        git.Write("web/www/index.html", "version one\n");
        return git;
    }

    /// <summary>The webhook's secret and the forge (its token from stdin), as a person configures them.</summary>
    private static async Task<FakeForge> ConfigureAsync(EngineWorld world, GitWorkTree git)
    {
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        Assert.Equal(0, world.PaasWithInput(Secret, "repo", "webhook", world.Project).ExitCode);
        var forge = await FakeForge.StartAsync(git.Remote);
        Assert.Equal(0, world.PaasWithInput(FakeForge.Token, "repo", "forge", world.Project, "--kind", "github", "--api", forge.Url, "--repo", "acme/shop").ExitCode);
        return forge;
    }

    /// <summary>What GitHub does on a push to a pull request's branch: the head moves under refs/pull/N/head in the base repository.</summary>
    private static string PushPullRequest(GitWorkTree git, int number, string page)
    {
        GitWorkTree.Git(git.Work, "checkout", "-q", "-B", $"feature-{number}", "dev");
        git.Write("web/www/index.html", page + "\n");
        GitWorkTree.Git(git.Work, "add", "-A");
        GitWorkTree.Git(git.Work, "commit", "-q", "-m", page);
        GitWorkTree.Git(git.Work, "push", "-q", "-f", "origin", $"HEAD:refs/pull/{number}/head");
        var commit = GitWorkTree.Git(git.Work, "rev-parse", "HEAD").Trim();
        GitWorkTree.Git(git.Work, "checkout", "-q", "dev");
        return commit;
    }

    /// <summary>A pull_request event as GitHub sends it (the fields the platform reads, and a hostile clone URL it must not use).</summary>
    private static byte[] PullRequest(string action, int number, string headRepository) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["action"] = action,
        ["number"] = number,
        ["pull_request"] = new JsonObject
        {
            ["number"] = number,
            ["head"] = new JsonObject { ["ref"] = "feature", ["sha"] = "0000000000000000000000000000000000000000", ["repo"] = new JsonObject { ["full_name"] = headRepository, ["clone_url"] = "https://evil.example/x.git" } },
            ["base"] = new JsonObject { ["ref"] = "dev", ["repo"] = new JsonObject { ["full_name"] = "acme/shop" } },
        },
    }.ToJsonString());

    private static async Task<HttpStatusCode> WebhookAsync(InProcessServer server, string project, byte[] body, string delivery, string secret = Secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{project}") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-GitHub-Event", "pull_request");
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The one comment on the pull request, once it says <paramref name="text"/>.</summary>
    private static async Task<string> CommentAsync(FakeForge forge, int number, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var comments = forge.CommentsOn(number);
            Assert.True(comments.Count <= 1, $"#{number} has {comments.Count} comments");
            if (comments is [var (body, _)] && body.Contains(text, StringComparison.Ordinal))
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"#{number}'s comment never said '{text}': {(comments.Count == 0 ? "(none)" : comments[0].Body)}");
            await Task.Delay(250);
        }
    }

    private static string UrlIn(string comment) =>
        System.Text.RegularExpressions.Regex.Match(comment, @"- web: (https://\S+)", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)).Groups[1].Value;

    /// <summary>Containers, networks and volumes labelled with the preview's environment.</summary>
    private static async Task<List<string>> PreviewLeftoversAsync(EngineWorld world, string environment)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={world.Project}"] = true, [$"{Labels.Environment}={environment}"] = true } };
        var containers = await world.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters });
        var networks = await world.Client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filters });
        var volumes = await world.Client.Volumes.ListAsync(new VolumesListParameters { Filters = filters });
        return [.. containers.Select(c => $"container {c.Names[0]}"), .. networks.Select(n => $"network {n.Name}"), .. (volumes.Volumes ?? []).Select(v => $"volume {v.Name}")];
    }
}
