using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gitops.Engine.Forges;

/// <summary>
/// Opens pull requests and comments on them through each forge's documented REST API: GitHub
/// (<c>POST /repos/{owner}/{repo}/pulls</c>, bearer token), Gitea (the same path, <c>token</c>
/// authorization) and GitLab (<c>POST /projects/{path}/merge_requests</c>, <c>PRIVATE-TOKEN</c>).
/// </summary>
public sealed class ForgeClient(HttpClient http)
{
    public async Task<PullRequest> OpenAsync(ForgeConfig forge, string token, string head, string @base, string title, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forge);
        var root = forge.ApiUrl.TrimEnd('/');
        using var request = forge.Kind switch
        {
            ForgeKind.GitLab => new HttpRequestMessage(HttpMethod.Post, $"{root}/projects/{Uri.EscapeDataString(forge.Repository)}/merge_requests")
            {
                Content = JsonContent.Create(new JsonObject { ["source_branch"] = head, ["target_branch"] = @base, ["title"] = title, ["description"] = body }),
            },
            _ => new HttpRequestMessage(HttpMethod.Post, $"{root}/repos/{forge.Repository}/pulls")
            {
                Content = JsonContent.Create(new JsonObject { ["head"] = head, ["base"] = @base, ["title"] = title, ["body"] = body }),
            },
        };
        var answer = await SendAsync(forge, token, request, "the pull request", cancellationToken).ConfigureAwait(false);
        return forge.Kind == ForgeKind.GitLab
            ? new PullRequest(answer?["iid"]?.GetValue<long>() ?? 0, answer?["web_url"]?.GetValue<string>() ?? "")
            : new PullRequest(answer?["number"]?.GetValue<long>() ?? 0, answer?["html_url"]?.GetValue<string>() ?? "");
    }

    /// <summary>
    /// Writes a comment on a pull request, or rewrites the one given (so a preview's comment is
    /// updated on each push, not repeated): GitHub and Gitea through the issue comments API
    /// (<c>POST …/issues/{n}/comments</c>, <c>PATCH …/issues/comments/{id}</c>), GitLab through
    /// merge request notes (<c>POST …/merge_requests/{iid}/notes</c>, <c>PUT …/notes/{id}</c>).
    /// </summary>
    /// <returns>The comment's id, to update it next time.</returns>
    public async Task<string> CommentAsync(ForgeConfig forge, string token, long number, string body, string? existing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forge);
        var root = forge.ApiUrl.TrimEnd('/');
        var content = JsonContent.Create(new JsonObject { ["body"] = body });
        var notes = $"{root}/projects/{Uri.EscapeDataString(forge.Repository)}/merge_requests/{number}/notes";
        using var request = (forge.Kind, existing) switch
        {
            (ForgeKind.GitLab, null) => new HttpRequestMessage(HttpMethod.Post, notes) { Content = content },
            (ForgeKind.GitLab, { } note) => new HttpRequestMessage(HttpMethod.Put, $"{notes}/{Uri.EscapeDataString(note)}") { Content = content },
            (_, null) => new HttpRequestMessage(HttpMethod.Post, $"{root}/repos/{forge.Repository}/issues/{number}/comments") { Content = content },
            (_, { } comment) => new HttpRequestMessage(HttpMethod.Patch, $"{root}/repos/{forge.Repository}/issues/comments/{Uri.EscapeDataString(comment)}") { Content = content },
        };
        var answer = await SendAsync(forge, token, request, "the comment", cancellationToken).ConfigureAwait(false);
        return answer?["id"] is JsonValue id
            ? id.TryGetValue<long>(out var numeric) ? numeric.ToString(System.Globalization.CultureInfo.InvariantCulture) : id.ToString()
            : throw new ForgeException($"{forge.Kind} at {root} answered the comment without its id");
    }

    private async Task<JsonNode?> SendAsync(ForgeConfig forge, string token, HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        var root = forge.ApiUrl.TrimEnd('/');
        switch (forge.Kind)
        {
            case ForgeKind.GitHub:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
                break;
            case ForgeKind.Gitea:
                request.Headers.Authorization = new AuthenticationHeaderValue("token", token);
                break;
            case ForgeKind.GitLab:
                request.Headers.Add("PRIVATE-TOKEN", token);
                break;
        }

        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("paas", "1")); // GitHub refuses requests without one

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ForgeException($"{forge.Kind} at {root} cannot be reached: {e.Message}");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ForgeException($"{forge.Kind} at {root} refused {what} ({(int)response.StatusCode}): {Message(text)}");
            }

            return JsonNode.Parse(text);
        }
    }

    /// <summary>The forge's own error message, shortened; forges do not echo tokens back.</summary>
    private static string Message(string body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            var message = node?["message"]?.ToJsonString() ?? node?["error"]?.ToJsonString() ?? body;
            return message.Length > 300 ? message[..300] : message;
        }
        catch (JsonException)
        {
            return body.Length > 300 ? body[..300] : body;
        }
    }
}
