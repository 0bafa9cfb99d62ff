namespace Gitops.Engine.Desired;

/// <summary>
/// Ownership labels on every object the platform creates (DESIGN §3 rule 6): the observer finds
/// its objects by them, and prune touches only what carries them.
/// </summary>
public static class Labels
{
    public const string Project = "paas.project";
    public const string Environment = "paas.env";
    public const string Service = "paas.service";
    public const string Fingerprint = "paas.fingerprint";
    public const string Deployment = "paas.deployment";
    public const string Replica = "paas.replica";
    public const string Managed = "paas.managed";

    /// <summary>On a one-off job's container: the run it is (<see cref="Names.Job"/>).</summary>
    public const string Job = "paas.job";

    /// <summary>On a one-off job's container: the service whose image, env and networks it runs with (it is not one of its replicas).</summary>
    public const string JobOf = "paas.job-of";

    /// <summary>On a cron's job: the cron.</summary>
    public const string Cron = "paas.cron";

    /// <summary>On a door network (<see cref="Names.Door"/>): the service it lets in to.</summary>
    public const string Door = "paas.door";

    public static Dictionary<string, string> For(string project, string environment) => new(StringComparer.Ordinal)
    {
        [Managed] = "true",
        [Project] = project,
        [Environment] = environment,
    };
}
