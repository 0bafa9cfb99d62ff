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
/// pins each service to the digest its registry gave.
/// </summary>
public sealed class ImagePreparation(IImageBuilder images, RegistryLogins logins, PushRegistry? registry)
{
    public async Task<PreparedImages> RunAsync(PreparedPlan prepared, IProgress<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(log);
        var built = new Dictionary<string, string>(StringComparer.Ordinal);
        var pinned = new Dictionary<string, string>(StringComparer.Ordinal);
        var started = Started(prepared.Plan).ToList();

        // Builds one after another (each may use every core); pulls at once (each mostly waits).
        foreach (var service in started.Where(s => prepared.Builds.ContainsKey(s.Name)))
        {
            var (context, build) = prepared.Builds[service.Name];
            built[service.Name] = (await images.EnsureBuiltAsync(prepared.Plan.Project, service.Name, service.Spec.Image, context, build, log, cancellationToken).ConfigureAwait(false)).Id;
            if (registry is not null)
            {
                pinned[service.Name] = await PushAsync(prepared.Plan.Project, service, log, cancellationToken).ConfigureAwait(false);
            }
        }

        var pulled = await Task.WhenAll(started.Where(s => !prepared.Builds.ContainsKey(s.Name))
            .Select(async s => (s.Name, Pin: await PullAsync(s, log, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
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

    private async Task<string> PushAsync(string project, DesiredService service, IProgress<string> log, CancellationToken cancellationToken)
    {
        var local = ImageReference.Parse(service.Spec.Image);
        var remote = registry!.ImageFor(project, service.Name, local.Tag ?? "latest");
        log.Report($"pushing {service.Name}'s image to {remote}");
        var login = logins.For(registry.Host);
        var digest = await images.PushAsync(service.Spec.Image, remote, login, registry.PlainHttp, log, cancellationToken).ConfigureAwait(false);
        var pin = ImageReference.Parse(remote).Pinned(digest);

        // The target must know the image by the registry's digest: Podman's local copy has another
        // (its layers were compressed on the way), so the manifest is fetched back (the layers are here).
        await images.EnsurePresentAsync(pin, login, registry.PlainHttp, log, cancellationToken).ConfigureAwait(false);
        log.Report($"{service.Name} runs {pin}");
        return pin;
    }

    /// <summary>Null when the image came from no registry (nothing to pin) or is pinned already (a rollback).</summary>
    private async Task<string?> PullAsync(DesiredService service, IProgress<string> log, CancellationToken cancellationToken)
    {
        var image = service.RunImage;
        var reference = ImageReference.Parse(image);
        var plainHttp = registry is { PlainHttp: true } && string.Equals(reference.Registry, registry.Host, StringComparison.OrdinalIgnoreCase);
        var digest = await images.EnsurePresentAsync(image, logins.For(reference.Registry), plainHttp, log, cancellationToken).ConfigureAwait(false);
        if (digest is null || reference.Digest is not null)
        {
            return null;
        }

        var pin = reference.Pinned(digest);
        log.Report($"{service.Name} runs {pin}");
        return pin;
    }
}
