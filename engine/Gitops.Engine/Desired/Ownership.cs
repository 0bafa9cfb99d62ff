namespace Gitops.Engine.Desired;

/// <summary>
/// The rule for reusing an engine object that already has the name the platform wants: its
/// ownership labels must be exactly the caller's. Anything else (no labels, another project or
/// environment, a hand-made object) is refused before anything is created or mounted: names can be
/// taken by anyone with engine access, labels are what says whose an object is.
/// </summary>
public static class Ownership
{
    /// <summary>Whether the labels are exactly the environment's ownership labels.</summary>
    public static bool Owns(IDictionary<string, string>? labels, string project, string environment) =>
        labels is not null && Labels.For(project, environment).All(w => labels.TryGetValue(w.Key, out var value) && value == w.Value);

    /// <summary>Null when the object is the environment's, else why it may not be used.</summary>
    public static string? Refusal(string kind, string name, IDictionary<string, string>? labels, string project, string environment)
    {
        if (Owns(labels, project, environment))
        {
            return null;
        }

        var found = labels ?? new Dictionary<string, string>();
        return $"{kind} '{name}' already exists and is not {project}/{environment}'s ({Describe(found)}); "
            + "the platform does not adopt objects it does not own: remove or rename it, then apply again";
    }

    /// <summary>The refusal for an image the platform built: the image's labels must name the project and the service.</summary>
    public static string? ImageRefusal(string image, IDictionary<string, string>? labels, string project, string service)
    {
        var found = labels ?? new Dictionary<string, string>();
        return found.TryGetValue(ImageProject, out var owner) && owner == project
            && found.TryGetValue(ImageService, out var built) && built == service
            ? null
            : $"image '{image}' already exists and was not built for {project}/{service} ({Describe(found)}); "
              + "the platform does not reuse images it did not build for this service: remove it, then apply again";
    }

    /// <summary>Whose build an image is. Keys of their own: containers inherit their image's labels
    /// (the build's own step containers too), and must not look like a project's replicas.</summary>
    public const string ImageProject = "paas.image.project";

    public const string ImageService = "paas.image.service";

    /// <summary>The labels an image built for a service carries.</summary>
    public static Dictionary<string, string> ImageLabels(string project, string service) => new(StringComparer.Ordinal)
    {
        [ImageProject] = project,
        [ImageService] = service,
    };

    private static string Describe(IDictionary<string, string> labels)
    {
        var owner = labels.Where(l => l.Key.StartsWith("paas.", StringComparison.Ordinal)).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}").ToList();
        return owner.Count == 0 ? "it has no paas.* ownership labels" : $"its labels: {string.Join(", ", owner)}";
    }
}
