using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Sources;

/// <summary>A repository the platform watches, and what its last fetch saw.</summary>
public sealed record WatchedRepository(string Project, string Url, DateTimeOffset? FetchedAt, string? Error);

/// <summary>The watched repositories, one per project, kept in the state database.</summary>
public sealed class RepositoryRegistry(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _repositories = state.Collection("repositories");

    public void Add(string project, string url)
    {
        _repositories.Upsert(new BsonDocument { ["_id"] = project, ["url"] = url });
        state.Flush();
    }

    public bool Remove(string project)
    {
        var removed = _repositories.Delete(project);
        state.Flush();
        return removed;
    }

    public IReadOnlyList<WatchedRepository> List() => _repositories.FindAll()
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
}
