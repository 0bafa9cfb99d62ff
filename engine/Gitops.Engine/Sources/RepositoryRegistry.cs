using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Sources;

/// <summary>A repository the platform watches, and what its last fetch saw.</summary>
public sealed record WatchedRepository(string Project, string Url, DateTimeOffset? FetchedAt, string? Error);

/// <summary>
/// The watched repositories, one per project, kept in the state database. URLs are stored without
/// credentials (their tokens are in <see cref="RepositoryCredentials"/>); a URL stored with them by
/// an older version is split on first read: the user information moves to the encrypted store.
/// </summary>
public sealed class RepositoryRegistry(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _repositories = state.Collection("repositories");
    private readonly RepositoryCredentials _credentials = new(state);

    /// <summary>Watches the URL (which must carry no credentials, see <see cref="GitSource.CheckUrl"/>); an old token never follows a new URL.</summary>
    public void Add(string project, string url, RepositoryCredential? credential = null)
    {
        if (credential is null)
        {
            _credentials.Remove(project);
        }
        else
        {
            _credentials.Set(project, credential);
        }

        _repositories.Upsert(new BsonDocument { ["_id"] = project, ["url"] = url });
        state.Flush();
    }

    public bool Remove(string project)
    {
        _credentials.Remove(project);
        var removed = _repositories.Delete(project);
        state.Flush();
        return removed;
    }

    public IReadOnlyList<WatchedRepository> List() => _repositories.FindAll().ToList()
        .Select(MoveCredentialsOut)
        .Select(d => new WatchedRepository(
            d["_id"].AsString,
            d["url"].AsString,
            d["fetched"].IsDateTime ? new DateTimeOffset(d["fetched"].AsDateTime, TimeSpan.Zero) : null,
            d["error"].IsString ? d["error"].AsString : null))
        .OrderBy(r => r.Project, StringComparer.Ordinal)
        .ToList();

    /// <summary>Records the outcome of a fetch: the error stays visible until a fetch succeeds.</summary>
    public void Fetched(string project, string? error)
    {
        var document = _repositories.FindById(project);
        if (document is null)
        {
            return;
        }

        document["fetched"] = DateTime.UtcNow;
        document["error"] = error is null ? BsonValue.Null : error;
        _repositories.Update(document);
        state.Flush();
    }

    /// <summary>Moves a URL's user information (older versions stored https://user:token@…) into the encrypted store.</summary>
    private BsonDocument MoveCredentialsOut(BsonDocument document)
    {
        var url = document["url"].AsString;
        if (GitSource.UserInfo(url) is not { } userInfo || (url.StartsWith("ssh://", StringComparison.Ordinal) && !userInfo.Contains(':', StringComparison.Ordinal)))
        {
            return document;
        }

        var parts = userInfo.Split(':', 2);
        var (user, token) = parts.Length == 2
            ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]))
            : (GitCredential.DefaultUsername, Uri.UnescapeDataString(parts[0])); // https://TOKEN@host: the token as user name
        if (url.StartsWith("https://", StringComparison.Ordinal) && token.Length > 0)
        {
            _credentials.Set(document["_id"].AsString, new GitCredential(user.Length > 0 ? user : GitCredential.DefaultUsername, token));
        }

        document["url"] = GitSource.WithoutCredentials(url);
        document["error"] = document["error"].IsString ? GitSource.Redact(document["error"].AsString) : BsonValue.Null;
        _repositories.Update(document);
        state.Flush();
        return document;
    }
}
