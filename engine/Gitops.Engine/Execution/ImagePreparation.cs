using Gitops.Engine.Desired;
using Gitops.Engine.Images;
using Gitops.Engine.Planning;

namespace Gitops.Engine.Execution;

/// <summary>What the images step made ready: each built service's image id, and each service's image by digest.</summary>
public sealed record PreparedImages(IReadOnlyDictionary<string, string> Built, IReadOnlyDictionary<string, string> Pinned);

/// <summary>
/// Makes every image the plan starts ready before anything on the target changes, so a failed
/// build, push or pull (a wrong registry password) leaves the running version untouched: builds
/// what is built (and pushes it when the platform has a registry), pulls what is missing, and
/// pins each service to the digest its registry gave. Logins: the platform's for its registry's
/// path of this project, the project's own anywhere else (<see cref="RegistryLogins"/>).
/// </summary>
public sealed class ImagePreparation(IImageBuilder images, RegistryLogins logins, PushRegistry? registry)
{
    public async Task<PreparedImages> RunAsync(PreparedPlan prepared, IProgress<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(log);
        var project = prepared.Plan.Project;
        var built = new Dictionary<string, string>(StringComparer.Ordinal);
        var pinned = new Dictionary<string, string>(StringComparer.Ordinal);
        var started = Started(prepared.Plan).ToList();

        // Builds one after another (each may use every core); pulls at once (each mostly waits).
        foreach (var service in started.Where(s => prepared.Builds.ContainsKey(s.Name)))
        {
            var (context, build) = prepared.Builds[service.Name];
            built[service.Name] = (await images.EnsureBuiltAsync(project, service.Name, service.Spec.Image, context, build, log, cancellationToken).ConfigureAwait(false)).Id;
            if (registry is not null)
            {
                pinned[service.Name] = await PushAsync(project, service, log, cancellationToken).ConfigureAwait(false);
            }
        }

        var pulls = started.Where(s => !prepared.Builds.ContainsKey(s.Name))
            .Select(s => (s.Name, Image: ImageReference.Parse(s.RunImage), Raw: s.RunImage))
            .ToList();
        var loginOf = pulls.Select(p => LoginOwner(p.Image, project)).Distinct().ToDictionary(o => o, o => logins.For(o.Host, o.Project)); // one lookup per registry
        var pulled = await Task.WhenAll(pulls.Select(async p =>
            (p.Name, Pin: await PullAsync(p.Name, p.Raw, p.Image, loginOf[LoginOwner(p.Image, project)], log, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        foreach (var (name, pin) in pulled.Where(p => p.Pin is not null))
        {
            pinned[name] = pin!;
        }

        return new PreparedImages(built, pinned);
    }

    /// <summary>The plan and desired state with every service that has a digest running it by that digest.</summary>
    public static (Plan Plan, DesiredState Desired) Pin(Plan plan, DesiredState desired, IReadOnlyDictionary<string, string> pinned)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(desired);
        DesiredService PinOne(DesiredService s) => pinned.TryGetValue(s.Name, out var image) ? s with { PinnedImage = image } : s;
        return (
            plan with { Nodes = new(plan.Nodes.Select(n => n.Desired is { } d ? n with { Desired = PinOne(d) } : n)) },
            desired with { Services = new(desired.Services.Select(PinOne)) });
    }

    private static IEnumerable<DesiredService> Started(Plan plan) => plan.Nodes
        .Where(n => n.Kind == ResourceKind.Service && n.Desired is not null && n.Start.Count > 0)
        .Select(n => n.Desired!)
        .DistinctBy(s => s.Name, StringComparer.Ordinal);

    /// <summary>Whose login fetches the image: the platform's for this project's own path in its registry, else the project's.</summary>
    private (string Host, string? Project) LoginOwner(ImageReference image, string project) =>
        (image.Registry, registry?.Owns(image, project) == true ? null : project);

    private async Task<string> PushAsync(string project, DesiredService service, IProgress<string> log, CancellationToken cancellationToken)
    {
        var local = ImageReference.Parse(service.Spec.Image);
        var remote = registry!.ImageFor(project, service.Name, local.Tag ?? "latest");
        log.Report($"pushing {service.Name}'s image to {remote}");
        var login = logins.For(registry.Host, null);
        var digest = await images.PushAsync(service.Spec.Image, remote, login, log, cancellationToken).ConfigureAwait(false);
        var pin = ImageReference.Parse(remote).Pinned(digest);

        // The target must know the image by the registry's digest: Podman's local copy has another
        // (its layers were compressed on the way), so the manifest is fetched back (the layers are here).
        await images.EnsurePresentAsync(pin, login, log, cancellationToken).ConfigureAwait(false);
        log.Report($"{service.Name} runs {pin}");
        return pin;
    }

    /// <summary>Null when the image came from no registry (nothing to pin) or is pinned already (a rollback).</summary>
    private async Task<string?> PullAsync(string service, string raw, ImageReference image, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken)
    {
        var digest = await images.EnsurePresentAsync(raw, login, log, cancellationToken).ConfigureAwait(false);
        if (digest is null || image.Digest is not null)
        {
            return null;
        }

        var pin = image.Pinned(digest);
        log.Report($"{service} runs {pin}");
        return pin;
    }
}
