using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gitops.IntegrationTests;

/// <summary>
/// A FAKE forge: the pull-request endpoints of GitHub, Gitea and GitLab as their REST references
/// document them (a real forge cannot run here). It checks each one's authentication header,
/// the required fields, that both branches exist in the real bare repository, and refuses a
/// second open request for the same branches, the way the forges do. Comments on pull requests:
/// GitHub's and Gitea's issue comments (<c>POST …/issues/{n}/comments</c>, <c>PATCH
/// …/issues/comments/{id}</c>) and GitLab's merge request notes (<c>POST …/notes</c>, <c>PUT
/// …/notes/{id}</c>), each with its authentication and a required <c>body</c>.
/// </summary>
internal sealed class FakeForge : IAsyncDisposable
{
    public const string Token = "forge-token-7d1c0e9a5b";

    private readonly WebApplication _app;
    private readonly string _remote;

    private FakeForge(WebApplication app, string remote, string url) => (_app, _remote, Url) = (app, remote, url);

    public string Url { get; }

    public List<(string Kind, string Head, string Base, string Title, string Body)> Opened { get; } = [];

    /// <summary>Every comment by id: the pull request it is on, its body now, and how many times it was written.</summary>
    public Dictionary<long, (long Number, string Body, int Writes)> Comments { get; } = [];

    public static async Task<FakeForge> StartAsync(string remote)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var forge = new FakeForge(app, remote, url);
        // GitHub: POST /repos/{owner}/{repo}/pulls, "Authorization: Bearer", 422 for validation errors and duplicates.
        app.MapPost("/repos/{owner}/{repo}/pulls", (HttpContext c, string owner, string repo) =>
            forge.OpenAsync(c, "github", c.Request.Headers.Authorization == $"Bearer {Token}" && c.Request.Headers.UserAgent.Count > 0, "head", "base", "body", 422, n => new JsonObject { ["number"] = n, ["html_url"] = $"{url}/{owner}/{repo}/pull/{n}" }));
        // Gitea: POST /api/v1/repos/{owner}/{repo}/pulls, "Authorization: token", 409 for a duplicate.
        app.MapPost("/api/v1/repos/{owner}/{repo}/pulls", (HttpContext c, string owner, string repo) =>
            forge.OpenAsync(c, "gitea", c.Request.Headers.Authorization == $"token {Token}", "head", "base", "body", 409, n => new JsonObject { ["number"] = n, ["html_url"] = $"{url}/{owner}/{repo}/pulls/{n}" }));
        // GitLab: POST /api/v4/projects/{url-encoded path}/merge_requests, "PRIVATE-TOKEN", 409 for a duplicate.
        app.MapPost("/api/v4/projects/{id}/merge_requests", (HttpContext c, string id) =>
            forge.OpenAsync(c, "gitlab", c.Request.Headers["PRIVATE-TOKEN"] == Token, "source_branch", "target_branch", "description", 409, n => new JsonObject { ["iid"] = n, ["web_url"] = $"{url}/{Uri.UnescapeDataString(id)}/-/merge_requests/{n}" }));
        app.MapPost("/repos/{owner}/{repo}/issues/{number:long}/comments", (HttpContext c, long number) => forge.CommentAsync(c, c.Request.Headers.Authorization == $"Bearer {Token}" && c.Request.Headers.UserAgent.Count > 0, number, null));
        app.MapPatch("/repos/{owner}/{repo}/issues/comments/{id:long}", (HttpContext c, long id) => forge.CommentAsync(c, c.Request.Headers.Authorization == $"Bearer {Token}" && c.Request.Headers.UserAgent.Count > 0, null, id));
        app.MapPost("/api/v1/repos/{owner}/{repo}/issues/{number:long}/comments", (HttpContext c, long number) => forge.CommentAsync(c, c.Request.Headers.Authorization == $"token {Token}", number, null));
        app.MapPatch("/api/v1/repos/{owner}/{repo}/issues/comments/{id:long}", (HttpContext c, long id) => forge.CommentAsync(c, c.Request.Headers.Authorization == $"token {Token}", null, id));
        app.MapPost("/api/v4/projects/{project}/merge_requests/{number:long}/notes", (HttpContext c, long number) => forge.CommentAsync(c, c.Request.Headers["PRIVATE-TOKEN"] == Token, number, null));
        app.MapPut("/api/v4/projects/{project}/merge_requests/{number:long}/notes/{id:long}", (HttpContext c, long id) => forge.CommentAsync(c, c.Request.Headers["PRIVATE-TOKEN"] == Token, null, id));
        await app.StartAsync();
        return forge;
    }

    private async Task<IResult> OpenAsync(HttpContext context, string kind, bool authorized, string headField, string baseField, string bodyField, int duplicateStatus, Func<int, JsonObject> answer)
    {
        if (!authorized)
        {
            return Results.Json(new { message = "Bad credentials" }, statusCode: 401);
        }

        var request = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
        var (head, @base, title) = (request?[headField]?.GetValue<string>(), request?[baseField]?.GetValue<string>(), request?["title"]?.GetValue<string>());
        var branches = GitWorkTree.Git(Path.GetDirectoryName(_remote)!, "ls-remote", "--heads", _remote);
        if (head is null || @base is null || title is null || !branches.Contains($"refs/heads/{head}\n", StringComparison.Ordinal) || !branches.Contains($"refs/heads/{@base}\n", StringComparison.Ordinal))
        {
            return Results.Json(new { message = "Validation Failed" }, statusCode: 422);
        }

        lock (Opened)
        {
            if (Opened.Any(o => o.Head == head && o.Base == @base))
            {
                return Results.Json(new { message = "A pull request already exists" }, statusCode: duplicateStatus);
            }

            Opened.Add((kind, head, @base, title, request?[bodyField]?.GetValue<string>() ?? ""));
            return Results.Json(answer(Opened.Count), statusCode: 201);
        }
    }

    /// <summary>A new comment on pull request <paramref name="number"/>, or a rewrite of comment <paramref name="id"/> (404 when there is none).</summary>
    private async Task<IResult> CommentAsync(HttpContext context, bool authorized, long? number, long? id)
    {
        if (!authorized)
        {
            return Results.Json(new { message = "Bad credentials" }, statusCode: 401);
        }

        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())?["body"]?.GetValue<string>();
        if (string.IsNullOrEmpty(body))
        {
            return Results.Json(new { message = "Validation Failed: body is missing" }, statusCode: 422);
        }

        lock (Comments)
        {
            if (id is { } existing)
            {
                if (!Comments.TryGetValue(existing, out var comment))
                {
                    return Results.Json(new { message = "Not Found" }, statusCode: 404);
                }

                Comments[existing] = (comment.Number, body, comment.Writes + 1);
                return Results.Json(new JsonObject { ["id"] = existing, ["body"] = body });
            }

            var created = 1000 + Comments.Count;
            Comments[created] = (number!.Value, body, 1);
            return Results.Json(new JsonObject { ["id"] = created, ["body"] = body }, statusCode: 201);
        }
    }

    /// <summary>The comments on one pull request, in the order they were made.</summary>
    public List<(string Body, int Writes)> CommentsOn(long number)
    {
        lock (Comments)
        {
            return Comments.OrderBy(c => c.Key).Where(c => c.Value.Number == number).Select(c => (c.Value.Body, c.Value.Writes)).ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
