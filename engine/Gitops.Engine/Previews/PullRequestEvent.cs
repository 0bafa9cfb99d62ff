using System.Text.Json;

namespace Gitops.Engine.Previews;

public enum PullRequestAction
{
    Opened,
    Pushed,
    Closed,
}

/// <summary>
/// A pull (GitLab: merge) request event from a verified webhook: which request, what happened,
/// the branch it targets and whether it comes from a fork. Nothing else in the payload is used:
/// its head is fetched from the registered repository by the ref its forge publishes.
/// </summary>
public sealed record PullRequestEvent(long Number, PullRequestAction Action, string BaseBranch, bool Fork, string HeadRef)
{
    /// <summary>Null when the webhook is no pull request event, or one that changes nothing a preview shows (a label, a title).</summary>
    public static PullRequestEvent? Read(IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        try
        {
            if (headers.GetValueOrDefault("X-GitHub-Event") == "pull_request" || headers.GetValueOrDefault("X-Gitea-Event") == "pull_request")
            {
                return GitHubShaped(JsonDocument.Parse(body).RootElement);
            }

            if (headers.GetValueOrDefault("X-Gitlab-Event") == "Merge Request Hook")
            {
                return GitLab(JsonDocument.Parse(body).RootElement);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new FormatException($"the pull request event cannot be read: {e.Message}", e);
        }

        return null;
    }

    /// <summary>GitHub and Gitea: <c>action</c>, <c>number</c>, <c>pull_request.base.ref</c>, and the head and base repositories.</summary>
    private static PullRequestEvent? GitHubShaped(JsonElement root)
    {
        PullRequestAction? action = root.GetProperty("action").GetString() switch
        {
            "opened" or "reopened" => PullRequestAction.Opened,
            "synchronize" or "synchronized" => PullRequestAction.Pushed,
            "closed" => PullRequestAction.Closed,
            _ => null,
        };
        var request = root.GetProperty("pull_request");
        var number = root.TryGetProperty("number", out var n) ? n.GetInt64() : request.GetProperty("number").GetInt64();
        var headRepository = request.GetProperty("head").TryGetProperty("repo", out var head) && head.ValueKind == JsonValueKind.Object ? head.GetProperty("full_name").GetString() : null;
        var baseRepository = request.GetProperty("base").GetProperty("repo").GetProperty("full_name").GetString();
        return action is { } a
            ? new PullRequestEvent(number, a, request.GetProperty("base").GetProperty("ref").GetString()!, headRepository != baseRepository, $"refs/pull/{number}/head")
            : null;
    }

    /// <summary>GitLab: <c>object_attributes</c> with <c>iid</c>, <c>action</c>, <c>target_branch</c> and the source and target project ids.</summary>
    private static PullRequestEvent? GitLab(JsonElement root)
    {
        var attributes = root.GetProperty("object_attributes");
        PullRequestAction? action = attributes.GetProperty("action").GetString() switch
        {
            "open" or "reopen" => PullRequestAction.Opened,
            "update" => PullRequestAction.Pushed,
            "close" or "merge" => PullRequestAction.Closed,
            _ => null,
        };
        var number = attributes.GetProperty("iid").GetInt64();
        var fork = attributes.GetProperty("source_project_id").GetInt64() != attributes.GetProperty("target_project_id").GetInt64();
        return action is { } a
            ? new PullRequestEvent(number, a, attributes.GetProperty("target_branch").GetString()!, fork, $"refs/merge-requests/{number}/head")
            : null;
    }
}
