namespace Gitops.IntegrationTests;

/// <summary>Promotion through Git: the target environment runs the exact image the source ran, with no build.</summary>
public sealed class PromotionTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Promoting_dev_to_staging_deploys_the_same_image_without_building(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n  staging: { branch: staging }\n", "promoted page");
        var commit = git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        var devSync = world.Paas("sync");

        var branchOnly = world.Paas("promote", world.Project, "--from", "dev", "--to", "staging");
        var remoteBranches = GitWorkTree.Git(world.Root, "ls-remote", "--heads", git.Remote);
        var quiet = world.Paas("sync");
        var merged = world.Paas("promote", world.Project, "--from", "dev", "--to", "staging", "--merge");
        var stagingSync = world.Paas("sync");

        Assert.True(devSync.ExitCode == 0, devSync.ToString());
        Assert.Contains("│ building localhost/", devSync.Output, StringComparison.Ordinal); // dev built the image
        Assert.True(branchOnly.ExitCode == 0, branchOnly.ToString());
        Assert.Contains("pull request", branchOnly.Output, StringComparison.Ordinal);
        Assert.Contains($"refs/heads/promote/dev-to-staging-{commit[..8]}", remoteBranches, StringComparison.Ordinal);
        Assert.DoesNotContain("refs/heads/staging", remoteBranches, StringComparison.Ordinal);
        Assert.DoesNotContain("staging", quiet.Output, StringComparison.Ordinal);
        Assert.True(merged.ExitCode == 0, merged.ToString());
        Assert.True(stagingSync.ExitCode == 0, stagingSync.ToString());
        Assert.Contains("is up to date (same build inputs)", stagingSync.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("│ building localhost/", stagingSync.Output, StringComparison.Ordinal);

        var images = new List<string>();
        foreach (var name in (await world.ContainersAsync()).Keys)
        {
            images.Add((await world.Client.Containers.InspectContainerAsync(name)).Image);
        }

        Assert.Equal(2, images.Count);
        Assert.Single(images.Distinct());
        var stagingHistory = world.Paas("history", git.Work, "--env", "staging", "--output", "json").Output;
        var tree = GitWorkTree.Git(git.Work, "rev-parse", $"{commit}^{{tree}}").Trim();
        Assert.Contains($"\"revision\": \"{commit}\"", stagingHistory, StringComparison.Ordinal);
        Assert.Contains($"\"tree\": \"{tree}\"", stagingHistory, StringComparison.Ordinal);
        Assert.Contains($"\"web\": \"{images[0]}\"", stagingHistory, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_diverged_target_branch_is_not_overwritten(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = new GitWorkTree(world.Root);
        git.Write("paas.yaml", $"version: 1\nproject: {world.Project}\nenvironments:\n  dev: {{ branch: dev }}\n  staging: {{ branch: staging }}\nservices:\n  web:\n    image: {world.Busybox}\n    command: [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]\n    port: 8080\n");
        git.CommitAndPush("base", "staging");
        git.Write("notes.txt", "staging-only change\n");
        var stagingOnly = git.CommitAndPush("hotfix on staging", "staging");
        GitWorkTree.Git(git.Work, "reset", "-q", "--hard", "HEAD~1");
        git.Write("feature.txt", "dev work\n");
        git.CommitAndPush("dev work", "dev");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        world.Paas("sync");

        var refused = world.Paas("promote", world.Project, "--from", "dev", "--to", "staging", "--merge");

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("pull request", refused.Error, StringComparison.Ordinal);
        Assert.Contains(stagingOnly, GitWorkTree.Git(world.Root, "ls-remote", "--heads", git.Remote, "staging"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("github", "")]
    [InlineData("gitea", "/api/v1")]
    [InlineData("gitlab", "/api/v4")]
    public async Task With_a_forge_promotion_opens_a_pull_request_whose_body_is_the_target_plan(string kind, string apiPath)
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n  staging: { branch: staging }\n", "first page");
        git.CommitAndPush("v1", "staging");
        GitWorkTree.Git(git.Work, "push", "-q", "origin", "HEAD:refs/heads/dev");
        git.Write("web/www/index.html", "second page\n");
        var commit = git.CommitAndPush("v2", "dev");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        Assert.Equal(0, world.Paas("sync").ExitCode);
        await using var forge = await FakeForge.StartAsync(git.Remote);
        var wrongToken = world.PaasWithInput("not-the-token", "repo", "forge", world.Project, "--kind", kind, "--api", forge.Url + apiPath, "--repo", "acme/shop");
        var refused = world.Paas("promote", world.Project, "--from", "dev", "--to", "staging");
        var configured = world.PaasWithInput(FakeForge.Token, "repo", "forge", world.Project, "--kind", kind, "--api", forge.Url + apiPath, "--repo", "acme/shop");

        var promoted = world.Paas("promote", world.Project, "--from", "dev", "--to", "staging");
        var again = world.Paas("promote", world.Project, "--from", "dev", "--to", "staging");

        Assert.Equal(0, wrongToken.ExitCode);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("refused the pull request (401)", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, configured.ExitCode);
        Assert.True(promoted.ExitCode == 0, promoted.ToString());
        var opened = Assert.Single(forge.Opened);
        Assert.Equal((kind, $"promote/dev-to-staging-{commit[..8]}", "staging"), (opened.Kind, opened.Head, opened.Base));
        Assert.Contains(commit[..12], opened.Title, StringComparison.Ordinal);
        Assert.Contains("-/+ service web", opened.Body, StringComparison.Ordinal); // the plan staging would apply
        Assert.Contains($"opened pull request #1 ({forge.Url}", promoted.Output, StringComparison.Ordinal);
        Assert.Equal(3, again.ExitCode); // the forge refuses a second request for the same branches, and says so
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        foreach (var output in new[] { refused, configured, promoted, again }.SelectMany(r => new[] { r.Output, r.Error }))
        {
            Assert.DoesNotContain(FakeForge.Token, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(FakeForge.Token, await File.ReadAllTextAsync(Path.Combine(world.DataDirectory, "state.db")), StringComparison.Ordinal);
    }
}
