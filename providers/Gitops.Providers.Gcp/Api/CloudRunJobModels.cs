using System.Text.Json.Serialization;

namespace Gitops.Providers.Gcp.Api;

// A cron's two objects, camelCase on the wire, members the platform does not use left out:
// a Cloud Run job (Admin API v2, https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.jobs)
// and the Cloud Scheduler job that runs it (API v1, https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs).

/// <summary>A Cloud Run job (<c>projects/P/locations/R/jobs/J</c>); output-only members are null in requests.</summary>
public sealed record RunJob
{
    public string? Name { get; init; }

    public Dictionary<string, string>? Labels { get; init; }

    public Dictionary<string, string>? Annotations { get; init; }

    /// <summary>Optimistic concurrency, as a service's: a PATCH carrying an older etag is refused (ABORTED).</summary>
    public string? Etag { get; init; }

    public ExecutionTemplate? Template { get; init; }

    [JsonIgnore]
    public string ShortName => Name is { } name ? name[(name.LastIndexOf('/') + 1)..] : "";
}

/// <summary>What each execution of the job is made from: how many tasks, and the task.</summary>
public sealed record ExecutionTemplate
{
    public Dictionary<string, string>? Labels { get; init; }

    public int? TaskCount { get; init; }

    public int? Parallelism { get; init; }

    public TaskTemplate? Template { get; init; }
}

/// <summary>One task: its container, how long it may run (<c>"3600s"</c>), how often a failed one is retried.</summary>
public sealed record TaskTemplate
{
    public List<RunContainer> Containers { get; init; } = [];

    public string? Timeout { get; init; }

    public int? MaxRetries { get; init; }

    public string? ServiceAccount { get; init; }
}

/// <summary>A Cloud Scheduler job (<c>projects/P/locations/R/jobs/J</c>): a schedule that sends one HTTP request.</summary>
public sealed record SchedulerJob
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Schedule { get; init; }

    public string? TimeZone { get; init; }

    public HttpTarget? HttpTarget { get; init; }

    public RetryConfig? RetryConfig { get; init; }

    /// <summary>Output only: <c>ENABLED</c>, <c>PAUSED</c>, <c>DISABLED</c>, <c>UPDATE_FAILED</c>.</summary>
    public string? State { get; init; }

    public const string Paused = "PAUSED";
}

public sealed record HttpTarget(string Uri, string HttpMethod, OAuthToken? OauthToken = null);

/// <summary>Cloud Scheduler signs each request with an access token of this service account.</summary>
public sealed record OAuthToken(string ServiceAccountEmail, string? Scope = null);

public sealed record RetryConfig(int RetryCount);
