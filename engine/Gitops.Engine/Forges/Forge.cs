namespace Gitops.Engine.Forges;

public enum ForgeKind
{
    GitHub,
    GitLab,
    Gitea,
}

/// <summary>
/// Where a repository's pull requests are opened: the forge's API root (e.g.
/// <c>https://api.github.com</c>, <c>https://gitea.example/api/v1</c>, <c>https://gitlab.example/api/v4</c>)
/// and the repository on it (<c>owner/name</c>; a GitLab project path may hold subgroups).
/// Its token lives in the encrypted store, never here.
/// </summary>
public sealed record ForgeConfig(ForgeKind Kind, string ApiUrl, string Repository)
{
    /// <summary>Tokens travel over HTTPS only; plain HTTP is accepted for a forge on this machine (development, tests).</summary>
    public static string? Problem(string apiUrl, string repository)
    {
        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            return $"--api '{apiUrl}': give the forge's API root over https:// (http:// only on this machine)";
        }

        var parts = repository.Split('/');
        return parts.Length < 2 || parts.Any(p => p.Length == 0 || p is "." or "..")
            ? $"--repo '{repository}': give it as owner/name"
            : null;
    }
}

/// <summary>A pull (GitLab: merge) request the forge opened.</summary>
public sealed record PullRequest(long Number, string Url);

/// <summary>The forge refused or could not be reached; the message says which and why, never the token.</summary>
public sealed class ForgeException(string message) : Exception(message);
