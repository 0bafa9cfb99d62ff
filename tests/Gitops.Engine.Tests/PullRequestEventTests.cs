using System.Text;
using Gitops.Engine.Previews;

namespace Gitops.Engine.Tests;

/// <summary>Pull request events as GitHub, Gitea and GitLab document their webhook payloads: what a preview needs, and nothing taken for one that changes nothing.</summary>
public sealed class PullRequestEventTests
{
    private static readonly Dictionary<string, string> GitHub = new(StringComparer.OrdinalIgnoreCase) { ["X-GitHub-Event"] = "pull_request" };
    private static readonly Dictionary<string, string> Gitea = new(StringComparer.OrdinalIgnoreCase) { ["X-Gitea-Event"] = "pull_request" };
    private static readonly Dictionary<string, string> GitLab = new(StringComparer.OrdinalIgnoreCase) { ["X-Gitlab-Event"] = "Merge Request Hook" };

    [Theory]
    [InlineData("opened", PullRequestAction.Opened)]
    [InlineData("reopened", PullRequestAction.Opened)]
    [InlineData("synchronize", PullRequestAction.Pushed)]
    [InlineData("closed", PullRequestAction.Closed)]
    public void GitHub_events_give_the_number_the_base_branch_and_the_head_ref_GitHub_publishes(string action, PullRequestAction expected)
    {
        var read = PullRequestEvent.Read(GitHub, Body("""{"action":"ACTION","number":42,"pull_request":{"head":{"repo":{"full_name":"acme/shop"}},"base":{"ref":"main","repo":{"full_name":"acme/shop"}}}}""".Replace("ACTION", action, StringComparison.Ordinal)));

        Assert.Equal(new PullRequestEvent(42, expected, "main", false, "refs/pull/42/head"), read);
    }

    [Fact]
    public void Gitea_says_synchronized_and_a_head_in_another_repository_is_a_fork()
    {
        var read = PullRequestEvent.Read(Gitea, Body("""{"action":"synchronized","number":5,"pull_request":{"number":5,"head":{"repo":{"full_name":"stranger/shop"}},"base":{"ref":"develop","repo":{"full_name":"acme/shop"}}}}"""));

        Assert.Equal(new PullRequestEvent(5, PullRequestAction.Pushed, "develop", true, "refs/pull/5/head"), read);
    }

    [Fact]
    public void A_fork_GitHub_deleted_has_no_head_repository_and_is_still_a_fork()
    {
        var read = PullRequestEvent.Read(GitHub, Body("""{"action":"opened","number":9,"pull_request":{"head":{"repo":null},"base":{"ref":"main","repo":{"full_name":"acme/shop"}}}}"""));

        Assert.True(read!.Fork);
    }

    [Theory]
    [InlineData("open", 1, PullRequestAction.Opened, false)]
    [InlineData("update", 1, PullRequestAction.Pushed, false)]
    [InlineData("merge", 1, PullRequestAction.Closed, false)]
    [InlineData("close", 2, PullRequestAction.Closed, true)]
    public void GitLab_merge_request_events_use_the_iid_and_compare_source_and_target_projects(string action, int source, PullRequestAction expected, bool fork)
    {
        var read = PullRequestEvent.Read(GitLab, Body("""{"object_kind":"merge_request","object_attributes":{"iid":17,"action":"ACTION","target_branch":"main","source_project_id":SOURCE,"target_project_id":1}}""".Replace("ACTION", action, StringComparison.Ordinal).Replace("SOURCE", source.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));

        Assert.Equal(new PullRequestEvent(17, expected, "main", fork, "refs/merge-requests/17/head"), read);
    }

    [Fact]
    public void Pushes_and_label_or_title_edits_are_no_preview_event()
    {
        Assert.Null(PullRequestEvent.Read(new Dictionary<string, string> { ["X-GitHub-Event"] = "push" }, Body("""{"ref":"refs/heads/main"}""")));
        Assert.Null(PullRequestEvent.Read(GitHub, Body("""{"action":"labeled","number":1,"pull_request":{"head":{"repo":{"full_name":"a/b"}},"base":{"ref":"main","repo":{"full_name":"a/b"}}}}""")));
        Assert.Null(PullRequestEvent.Read(GitLab, Body("""{"object_attributes":{"iid":1,"action":"approved","target_branch":"main","source_project_id":1,"target_project_id":1}}""")));
    }

    [Fact]
    public void A_payload_without_what_a_preview_needs_is_refused_by_name()
    {
        var refused = Assert.Throws<FormatException>(() => PullRequestEvent.Read(GitHub, Body("""{"action":"opened","pull_request":{}}""")));

        Assert.StartsWith("the pull request event cannot be read", refused.Message, StringComparison.Ordinal);
    }

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);
}
