using Gitops.Engine.Desired;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// The labels and annotations on every object the platform applies: the recommended
/// <c>app.kubernetes.io/*</c> ones for people and tools, and the platform's ownership labels
/// (<see cref="Labels"/>) that the observer and prune go by.
/// </summary>
public static class KubeLabels
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string Name = "app.kubernetes.io/name";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string Manager = "paas";

    /// <summary>A fingerprint is 64 hex characters, longer than a label value may be: an annotation.</summary>
    public const string Fingerprint = Labels.Fingerprint;

    /// <summary>On the pods of a service with <c>allowFrom</c>: the environment's wall leaves them to their own policy.</summary>
    public const string Restricted = "paas.restricted";

    /// <summary>On a cron's job pods instead of <see cref="Labels.Service"/>: they are no replicas, and its Service must not send them requests.</summary>
    public const string Cron = "paas.cron";

    /// <summary>The fields the platform applied, as JSON without secret values: what drift is measured against.</summary>
    public const string Applied = "paas.applied";

    public static Dictionary<string, string> Environment(string project, string environment)
    {
        var labels = Labels.For(project, environment);
        labels[ManagedBy] = Manager;
        labels[PartOf] = project;
        return labels;
    }

    public static Dictionary<string, string> Service(string project, string environment, string service)
    {
        var labels = Environment(project, environment);
        labels[Labels.Service] = service;
        labels[Name] = service;
        return labels;
    }

    /// <summary>What a service's Deployment selects its pods by: never changes for a service (a selector cannot).</summary>
    public static Dictionary<string, string> Selector(string project, string environment, string service) => new(StringComparer.Ordinal)
    {
        [Labels.Project] = project,
        [Labels.Environment] = environment,
        [Labels.Service] = service,
    };
}
