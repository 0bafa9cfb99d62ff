using System.ComponentModel;

namespace Gitops.Schema.Model;

[Description("A scheduled job: runs a command in a service's image, with its env and secrets.")]
public sealed record Cron
{
    [Description("Service whose image, env and secrets the job uses.")]
    public string Service { get; init; } = "";

    [Description("Cron expression (5 fields, or @hourly, @daily, ...), in timeZone (UTC when none is given).")]
    public string Schedule { get; init; } = "";

    [Description("IANA time zone the schedule is read in (Europe/Paris). Across a daylight-saving change a run due in the skipped hour runs once at its end, and one in the repeated hour runs once.")]
    public string? TimeZone { get; init; }

    [Description("Arguments run instead of the service's command (itself the image's when the service gives none), as a list (no shell).")]
    public ValueList<string>? Command { get; init; }

    [Description("A run is stopped after this long.")]
    public Duration Timeout { get; init; } = Duration.FromSeconds(3600);

    [Description("What happens when a run is due while the previous one still runs: allow, forbid (skip), replace.")]
    public CronConcurrency Concurrency { get; init; } = CronConcurrency.Forbid;
}
