using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Engine.Sources;

/// <summary>An https token for a watched repository. Its text form never shows the token.</summary>
public sealed record GitCredential(string Username, string Token)
{
    /// <summary>Any user name works with a token on GitHub, GitLab and Gitea; the name says where it comes from in their logs.</summary>
    public const string DefaultUsername = "x-access-token";

    public override string ToString() => $"[token for {Username} (hidden)]";
}

/// <summary>
/// Repository credentials live in the encrypted secret store, under a scope no manifest can name,
/// never in the repository's URL: URLs are listed, logged and written into the fetch cache's config.
/// </summary>
public sealed class RepositoryCredentials(StateStore state)
{
    public const string Scope = "@repository";
    public const string TokenName = "GIT_TOKEN";
    public const string UsernameName = "GIT_USERNAME";

    private readonly SecretStore _secrets = new(state);

    public void Set(string project, GitCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _secrets.Set(project, Scope, UsernameName, credential.Username);
        _secrets.Set(project, Scope, TokenName, credential.Token);
    }

    public GitCredential? Of(string project)
    {
        if (!Has(project))
        {
            return null;
        }

        var values = _secrets.Resolve(project, Scope, [TokenName, UsernameName]).Reveal().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return values.TryGetValue(TokenName, out var token)
            ? new GitCredential(values.GetValueOrDefault(UsernameName) ?? GitCredential.DefaultUsername, token)
            : null;
    }

    public bool Has(string project) => _secrets.List(project).Any(s => s.Environment == Scope && s.Name == TokenName);

    public void Remove(string project)
    {
        _secrets.Remove(project, Scope, TokenName);
        _secrets.Remove(project, Scope, UsernameName);
    }
}
