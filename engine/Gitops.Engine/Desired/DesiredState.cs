using Gitops.Schema.Model;

namespace Gitops.Engine.Desired;

/// <summary>What one environment of one project should look like: immutable data, no I/O types.</summary>
public sealed record DesiredState(
    string Project,
    string Environment,
    string Revision,
    string Network,
    ValueList<string> Volumes,
    ValueList<DesiredService> Services)
{
    /// <summary>Routes of the public services, when the platform has an ingress.</summary>
    public ValueList<DesiredRoute> Routes { get; init; } = ValueList<DesiredRoute>.Empty;

    public DesiredService? Service(string name) => Services.FirstOrDefault(s => s.Name == name);

    public DesiredRoute? RouteOf(string service) => Routes.FirstOrDefault(r => r.Service == service);
}

/// <summary>One service: its spec, how many replicas, and what must run before it.</summary>
public sealed record DesiredService(
    string Name,
    ServiceSpec Spec,
    string Fingerprint,
    int Replicas,
    DeployStrategy Strategy,
    Duration Drain,
    ValueList<string> DependsOn)
{
    /// <summary>New instances beside the old ones during a rollout (<c>deploy.maxSurge</c>), for a target that rolls out itself; null when the manifest leaves it.</summary>
    public int? MaxSurge { get; init; }

    /// <summary>
    /// The image by the digest its registry gave (<c>registry/repo@sha256:…</c>), set when the
    /// deployment made the image ready: what the target runs, so no later push to the same tag
    /// changes it. Outside the spec, so it never changes the fingerprint.
    /// </summary>
    public string? PinnedImage { get; init; }

    /// <summary>What the target runs: the pinned image when there is one, else the spec's.</summary>
    public string RunImage => PinnedImage ?? Spec.Image;

    /// <summary>
    /// What a target changes in place, beside the replica count, without new instances: scaling
    /// bounds, who may connect, the scheduled jobs run in the service's image. Outside the spec, so
    /// none of it changes the fingerprint; a target that cannot do one says so in its capabilities.
    /// </summary>
    public ServiceExtras Extras { get; init; } = ServiceExtras.None;
}

/// <param name="Autoscale">Replica bounds and the load to scale on; null for a fixed replica count.</param>
/// <param name="AllowFrom">Services of the environment allowed to connect; empty: every one.</param>
/// <param name="Crons">The project's crons that run in this service's image, with its env and secrets.</param>
public sealed record ServiceExtras(Autoscale? Autoscale, ValueList<string> AllowFrom, ValueList<DesiredCron> Crons)
{
    public static readonly ServiceExtras None = new(null, ValueList<string>.Empty, ValueList<DesiredCron>.Empty);

    /// <summary>The services of the environment whose <c>allowFrom</c> lists this one: it may connect to them.</summary>
    public ValueList<string> AllowedInto { get; init; } = ValueList<string>.Empty;

    /// <summary>The service's scheduled backups (a template's dump and restore); null when it has none.</summary>
    public DesiredBackup? Backup { get; init; }
}

/// <summary>
/// <c>backup: { schedule, keep, to }</c> of a template service, with the template's commands filled
/// in: <see cref="Dump"/> writes the archive to stdout inside the replica, <see cref="Restore"/> reads
/// it from stdin, <see cref="Check"/> prints what a restore is compared by.
/// </summary>
public sealed record DesiredBackup(string Schedule, int Keep, string To, string Template, string Format, ValueList<string> Dump, ValueList<string> Restore, ValueList<string>? Check)
{
    /// <summary>What a volume backup's <see cref="Template"/> and <see cref="Format"/> say instead of a template's.</summary>
    public const string OfVolumes = "volumes";

    /// <summary>A restore drill after each scheduled backup (<c>backup.verify</c>).</summary>
    public bool Verify { get; init; }

    /// <summary>
    /// A volume backup (a service that is no template): its volumes by their manifest name → the
    /// engine's volume, copied with the service stopped. Empty for a template's dump.
    /// </summary>
    public ValueMap<string> Volumes { get; init; } = ValueMap<string>.Empty;

    /// <summary>A plain service's volumes, copied with it stopped (<see cref="Volumes"/>).</summary>
    public static DesiredBackup ForVolumes(Schema.Model.BackupSpec spec, ValueMap<string> volumes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new DesiredBackup(spec.Schedule, spec.Keep, spec.To, OfVolumes, "tar of the volumes, service stopped", ValueList<string>.Empty, ValueList<string>.Empty, null) { Volumes = volumes, Verify = spec.Verify };
    }
}

/// <summary>A scheduled job: a command run in its service's image on a schedule (in <see cref="TimeZone"/>, UTC when null).</summary>
public sealed record DesiredCron(string Name, string Schedule, ValueList<string>? Command, Duration Timeout, CronConcurrency Concurrency)
{
    /// <summary>The IANA time zone the schedule is read in; null: UTC.</summary>
    public string? TimeZone { get; init; }
}
