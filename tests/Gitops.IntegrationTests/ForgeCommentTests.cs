using Gitops.Engine.Forges;

namespace Gitops.IntegrationTests;

/// <summary>The preview comment through each forge's API, against the FAKE forge built from their references: written once, then rewritten in place.</summary>
public sealed class ForgeCommentTests
{
    [Theory]
    [InlineData(ForgeKind.GitHub, "")]
    [InlineData(ForgeKind.Gitea, "/api/v1")]
    [InlineData(ForgeKind.GitLab, "/api/v4")]
    public async Task A_comment_is_written_once_and_then_updated_in_place(ForgeKind kind, string apiPath)
    {
        var root = Directory.CreateTempSubdirectory("paas-forge-").FullName;
        try
        {
            await using var forge = await FakeForge.StartAsync(Path.Combine(root, "remote.git"));
            using var http = new HttpClient();
            var client = new ForgeClient(http);
            var config = new ForgeConfig(kind, forge.Url + apiPath, "acme/shop");

            var id = await client.CommentAsync(config, FakeForge.Token, 7, "first", null, CancellationToken.None);
            var again = await client.CommentAsync(config, FakeForge.Token, 7, "second", id, CancellationToken.None);
            var refused = await Assert.ThrowsAsync<ForgeException>(() => client.CommentAsync(config, "not-the-token", 7, "third", id, CancellationToken.None));

            Assert.Equal(id, again);
            Assert.Equal([("second", 2)], forge.CommentsOn(7));
            Assert.Contains("refused the comment (401)", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-token", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
