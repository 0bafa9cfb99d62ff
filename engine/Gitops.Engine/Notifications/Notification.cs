namespace Gitops.Engine.Notifications;

/// <summary>How a notification stands: waiting (to be tried, or tried again), taken by its channel, or given up.</summary>
public enum DeliveryState
{
    Pending,
    Delivered,

    /// <summary>Its channel did not take it within <c>notifications.retryFor</c>: counted, shown, not tried again.</summary>
    Dropped,
}

/// <summary>
/// One message for one channel about one event, in the outbox until the channel takes it. It says
/// project, environment, commit, what happened and a link, never a secret's value.
/// </summary>
public sealed record Notification
{
    public required string Id { get; init; }

    public required string Channel { get; init; }

    /// <summary>The event's name, as notify rules name it (<c>deploy.failed</c>).</summary>
    public required string Event { get; init; }

    public required string Project { get; init; }

    public required string Environment { get; init; }

    /// <summary>One line: <c>shop/production: deploy failed</c>.</summary>
    public required string Title { get; init; }

    /// <summary>The rest: commit, what happened, why.</summary>
    public required string Body { get; init; }

    /// <summary>The deployment (or the environment) in the dashboard, when the platform knows its address.</summary>
    public string? Link { get; init; }

    public string? Commit { get; init; }

    public string? DeploymentId { get; init; }

    public string? Service { get; init; }

    public string? Detail { get; init; }

    /// <summary>The same event published twice (a retried pass, two sinks) makes one message per channel.</summary>
    public required string Key { get; init; }

    public DateTimeOffset At { get; init; }

    public DeliveryState State { get; init; }

    public int Attempts { get; init; }

    public DateTimeOffset NextAttempt { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>All of it as plain text: title, body, link.</summary>
    public string Text => string.Join("\n", new[] { Title, Body, Link }.Where(s => !string.IsNullOrEmpty(s)));
}
