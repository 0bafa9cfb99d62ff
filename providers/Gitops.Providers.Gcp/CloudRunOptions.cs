using System.ComponentModel;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.Providers.Gcp;

/// <summary>A cloudrun target's options in platform.yaml (after <c>kind: cloudrun</c>).</summary>
public sealed record CloudRunOptions
{
    public const string DefaultEndpoint = "https://run.googleapis.com";

    public const string DefaultSchedulerEndpoint = "https://cloudscheduler.googleapis.com";

    [Description("Google Cloud project id the services run in, e.g. shop-prod-123. Required.")]
    public string? Project { get; init; }

    [Description("Cloud Run region, e.g. europe-west1. Required.")]
    public string? Region { get; init; }

    [Description("Email of the service account the services' own code runs as. Default: the project's default compute service account.")]
    public string? ServiceAccount { get; init; }

    [Description("Email of the service account Cloud Scheduler signs a cron's run request as (it needs roles/run.invoker on the cron's Cloud Run job). Default: the client_email of the target's service-account key.")]
    public string? SchedulerServiceAccount { get; init; }

    [Description("Base URL of the Cloud Run Admin API instead of https://run.googleapis.com: for a local stand-in in tests only.")]
    public string? Endpoint { get; init; }

    [Description("Base URL of the Cloud Scheduler API instead of https://cloudscheduler.googleapis.com: for a local stand-in in tests only. Default: endpoint when that is set (a stand-in serves both), else Google's.")]
    public string? SchedulerEndpoint { get; init; }

    [Description("Seconds a rollout may take before the platform gives up and puts traffic back on the previous revision. Default: 900.")]
    public int RolloutTimeoutSeconds { get; init; } = 900;

    [Description("How often a rollout and its operation are polled, e.g. 3s. Default: 3s.")]
    public Duration Poll { get; init; } = Duration.FromSeconds(3);

    [Description("Unix socket of the Docker engine that builds images for this target (they reach Cloud Run through the platform's registry). Default: /var/run/docker.sock.")]
    public string? BuilderSocket { get; init; }

    /// <summary>The engine that builds and pushes images for Cloud Run.</summary>
    public EngineEndpoint Builder => new() { Kind = EngineKind.Docker, Socket = BuilderSocket };

    public Uri BaseUri => new(Endpoint ?? DefaultEndpoint);

    /// <summary>A stand-in named by endpoint serves Cloud Scheduler too: calls never leave for Google with its tokens.</summary>
    public Uri SchedulerUri => new(SchedulerEndpoint ?? Endpoint ?? DefaultSchedulerEndpoint);
}
