using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Gitops.Schema.Model;

/// <summary>
/// <c>paas.yaml</c>, version 1: one project, its services, crons and environments.
/// Property names are the YAML keys in camelCase; initial values are the defaults.
/// </summary>
[Description("paas.yaml: a project, its services, crons, environments and per-environment overrides.")]
public sealed record Manifest
{
    public const int CurrentVersion = 1;

    [Required]
    [Description("Manifest format version. Only 1 exists.")]
    public int Version { get; init; }

    [Required]
    [Description("Project name: a DNS label (lower-case letters, digits, '-'), unique on the platform.")]
    public string Project { get; init; } = "";

    [Description("Environments, each following one Git branch and deploying to one target. Default: production from main on the local engine.")]
    public ValueMap<EnvironmentSpec> Environments { get; init; } =
        ValueMap.Of(("production", new EnvironmentSpec { Branch = "main" }));

    [Description("Services (apps, workers, databases) by name.")]
    public ValueMap<Service> Services { get; init; } = ValueMap<Service>.Empty;

    [Description("Scheduled jobs by name; each runs a command in a service's image.")]
    public ValueMap<Cron> Crons { get; init; } = ValueMap<Cron>.Empty;

    [Description("Per-environment changes merged over the base: mappings merge key by key, lists and values are replaced.")]
    public ValueMap<EnvironmentOverride> Overrides { get; init; } = ValueMap<EnvironmentOverride>.Empty;

    [Description("Notification rules: which events go to which platform notification channel.")]
    public ValueList<NotifyRule> Notify { get; init; } = ValueList<NotifyRule>.Empty;

    [Description("Preview environments: each open pull request's head commit deployed as environment pr-<number>, its URL commented on the pull request, removed when it closes or after ttl without a push. Read from the manifest of the branch the pull request targets.")]
    public PreviewSpec Previews { get; init; } = new();
}

[Description("Preview environments per pull request (a forge webhook with pull-request events must be configured).")]
public sealed record PreviewSpec
{
    [Description("Deploy pull requests as preview environments.")]
    public bool Enabled { get; init; }

    [Description("How long a preview lives after its last push; then it is removed. Default 72h.")]
    public Duration Ttl { get; init; } = new(TimeSpan.FromHours(72));

    [Description("At most this many previews at once; a new pull request over it removes the preview pushed to least recently. Default 5.")]
    public int Max { get; init; } = 5;

    [Description("Deployment target previews run on. Default local.")]
    public string Target { get; init; } = "local";

    [Description("Also deploy pull requests from forks (never with secrets). Default false: a fork's code is not run.")]
    public bool Forks { get; init; }
}

[Description("An environment: the branch it follows and the target it deploys to.")]
public sealed record EnvironmentSpec
{
    [Required]
    [Description("Git branch whose commits deploy to this environment.")]
    public string Branch { get; init; } = "";

    [Description("Deployment target defined on the platform (a local engine, servers, a cluster, a cloud region).")]
    public string Target { get; init; } = "local";

    [Description("'required' stops each deploy at a plan that a person approves.")]
    public Approval Approval { get; init; } = Approval.None;
}

[Description("Changes for one environment, merged over the base manifest.")]
public sealed record EnvironmentOverride
{
    [Description("Service fields to change in this environment; services must exist in the base.")]
    public ValueMap<Service> Services { get; init; } = ValueMap<Service>.Empty;

    [Description("Cron fields to change in this environment; crons must exist in the base.")]
    public ValueMap<Cron> Crons { get; init; } = ValueMap<Cron>.Empty;

    [Description("Notification rules for this environment (replace the base list).")]
    public ValueList<NotifyRule> Notify { get; init; } = ValueList<NotifyRule>.Empty;
}

[Description("Send these events to a notification channel defined on the platform.")]
public sealed record NotifyRule
{
    [Required]
    [Description("Channel name, as defined on the platform (Slack, Discord, e-mail, webhook).")]
    public string Channel { get; init; } = "";

    [Required]
    [Description("Events, e.g. deploy.failed, deploy.succeeded, backup.failed.")]
    public ValueList<string> On { get; init; } = ValueList<string>.Empty;
}
