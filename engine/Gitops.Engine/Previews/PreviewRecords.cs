using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Previews;

/// <summary>One pull request's preview: what the forge said of it, and what the platform did.</summary>
public sealed record Preview
{
    public required string Project { get; init; }

    public required long Number { get; init; }

    public required string HeadRef { get; init; }

    public required string BaseBranch { get; init; }

    public bool Fork { get; init; }

    public bool Closed { get; init; }

    /// <summary>The last push (or the opening): the TTL counts from here.</summary>
    public required DateTimeOffset PushedAt { get; init; }

    /// <summary>The commit deployed last, and the outcome said on the pull request for it.</summary>
    public string? Commit { get; init; }

    public string? Said { get; init; }

    /// <summary>The pull request comment the platform keeps up to date (the forge's id).</summary>
    public string? CommentId { get; init; }

    public string Environment => Name(Number);

    public static string Name(long number) => $"pr-{number}";
}

/// <summary>The previews the webhooks asked for, per project; the reconcile pass acts on them (level-triggered, like branches).</summary>
public sealed class PreviewRecords(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _previews = state.Collection("previews");

    /// <summary>Records what a verified webhook said; a push or close of a request never seen opened is taken as it comes.</summary>
    public Preview Note(string project, PullRequestEvent pullRequest, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        var known = Of(project, pullRequest.Number);
        var preview = (known ?? new Preview { Project = project, Number = pullRequest.Number, HeadRef = pullRequest.HeadRef, BaseBranch = pullRequest.BaseBranch, PushedAt = at }) with
        {
            HeadRef = pullRequest.HeadRef,
            BaseBranch = pullRequest.BaseBranch,
            Fork = pullRequest.Fork,
            Closed = pullRequest.Action == PullRequestAction.Closed,
            PushedAt = pullRequest.Action == PullRequestAction.Closed ? known?.PushedAt ?? at : at,
        };
        Save(preview);
        return preview;
    }

    public void Save(Preview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        _previews.Upsert(new BsonDocument { ["_id"] = Key(preview.Project, preview.Number), ["project"] = preview.Project, ["json"] = StateJson.Write(preview) });
        state.Flush();
    }

    public Preview? Of(string project, long number) =>
        _previews.FindById(Key(project, number)) is { } d ? StateJson.Read<Preview>(d["json"].AsString) : null;

    public IReadOnlyList<Preview> List(string project) => _previews.Find(d => d["project"] == project)
        .Select(d => StateJson.Read<Preview>(d["json"].AsString))
        .OrderBy(p => p.Number)
        .ToList();

    public void Remove(string project, long number)
    {
        _previews.Delete(Key(project, number));
        state.Flush();
    }

    private static string Key(string project, long number) => $"{project}/{number}";
}
