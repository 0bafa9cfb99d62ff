namespace Gitops.Engine.Sources;

/// <summary>
/// Who wrote a deployed commit, when, and what they said about it, for people reading the history
/// (the dashboard, the API). The author's name only: an e-mail address is not the viewers' business.
/// </summary>
public sealed record CommitInfo(string Message, string Author, DateTimeOffset At)
{
    /// <summary>A longer message is cut here: the history is no place for a changelog pasted into a commit.</summary>
    public const int MaxMessage = 2000;

    public static CommitInfo Of(string message, string author, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(message);
        var trimmed = message.Trim();
        return new CommitInfo(trimmed.Length > MaxMessage ? trimmed[..MaxMessage] + "…" : trimmed, author, at);
    }
}
