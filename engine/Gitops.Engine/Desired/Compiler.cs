using Gitops.Engine.Templates;
using Gitops.Schema.Model;

namespace Gitops.Engine.Desired;

/// <summary>
/// What a compile may use: the images built for services, and the version of each secret that
/// has a value in the environment (a new version replaces the containers that use it).
/// </summary>
public sealed record CompileInputs(
    IReadOnlyDictionary<string, string> BuiltImages,
    IReadOnlyDictionary<string, string> SecretVersions)
{
    /// <summary>The ingress's base domain; null when the platform has no ingress (then nothing is routed).</summary>
    public string? BaseDomain { get; init; }

    /// <summary>
    /// The volumes the engine holds with this environment's exact ownership labels. A volume made
    /// under its old, ambiguous name (<see cref="Names.Legacy"/>) is kept in use when no volume of
    /// the current name exists: the labels prove it is this environment's, and its data stays put.
    /// </summary>
    public IReadOnlyCollection<string> OwnedVolumes { get; init; } = [];

    /// <summary>Service → when it was last restarted by hand (<see cref="ServiceSpec.Restarted"/>): a commit keeps what a restart started.</summary>
    public IReadOnlyDictionary<string, string> Restarts { get; init; } = new Dictionary<string, string>();

    /// <summary>The template catalogue <c>template:</c> services are read from (the platform's, with its data directory's additions).</summary>
    public Templates.TemplateCatalogue Templates { get; init; } = Gitops.Engine.Templates.TemplateCatalogue.BuiltIn;

    public static readonly CompileInputs None = new(new Dictionary<string, string>(), new Dictionary<string, string>());
}

public sealed record CompileResult(DesiredState? State, IReadOnlyList<string> Errors);

/// <summary>
/// Effective manifest of one environment → desired state: deterministic names, normalized specs,
/// fingerprints. Pure: image tags of built services come in through <see cref="CompileInputs"/>.
/// </summary>
public static class Compiler
{
    /// <summary>Memory limit of a container whose service sets none.</summary>
    public static readonly long DefaultMemoryBytes = 256L * 1024 * 1024;

    public static CompileResult Compile(Manifest manifest, string environment, string revision, CompileInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(inputs);
        var errors = new List<string>();
        var expansion = TemplateExpander.Expand(manifest, inputs.Templates, errors); // template services become ordinary ones
        manifest = expansion.Manifest;
        var project = manifest.Project;
        var services = new List<DesiredService>();
        var volumes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (name, service) in manifest.Services)
        {
            var image = ImageOf(name, service, inputs, errors);
            var backup = BackupOf(project, environment, name, service, expansion, inputs, errors);
            var secretFrom = expansion.SecretFrom.GetValueOrDefault(name);
            string Stored(string secret) => secretFrom?.GetValueOrDefault(secret) ?? secret;
            foreach (var secret in service.Secrets.Where(s => !inputs.SecretVersions.ContainsKey(Stored(s))))
            {
                errors.Add(Stored(secret) == secret
                    ? $"service '{name}' needs secret {secret}, which has no value for {project}/{environment}; set it with: paas secrets set {project} {secret} --env {environment}"
                    : $"service '{name}' needs {secret} from template secret {Stored(secret)}, which is not generated yet for {project}/{environment} (paas apply generates it)");
            }

            if (image is null)
            {
                continue;
            }

            var mounts = service.Volumes.Select(v => KeyValuePair.Create(VolumeName(project, environment, v.Key, inputs.OwnedVolumes), v.Value)).ToList();
            volumes.UnionWith(mounts.Select(m => m.Key));
            var spec = new ServiceSpec
            {
                Image = image,
                Command = service.Command,
                User = service.User,
                Env = service.Env,
                Secrets = service.Secrets,
                SecretVersions = new ValueMap<string>(service.Secrets.Where(s => inputs.SecretVersions.ContainsKey(Stored(s))).Select(s => KeyValuePair.Create(s, inputs.SecretVersions[Stored(s)]))),
                SecretFrom = secretFrom is { Count: > 0 } ? secretFrom : null,
                Port = service.Port,
                Health = service.Health,
                CpuMillicores = service.Resources.Cpu?.Millicores ?? 0,
                MemoryBytes = service.Resources.Memory?.Bytes ?? DefaultMemoryBytes,
                ReadOnly = service.ReadOnly,
                Sandbox = service.Sandbox,
                Placement = service.Placement.Count > 0 ? service.Placement : null,
                Mounts = new ValueMap<string>(mounts),
                Restarted = inputs.Restarts.GetValueOrDefault(name),
            };
            var replicas = service.Autoscale is { } autoscale ? autoscale.Min : service.Replicas; // the autoscaler's count comes on top (ScaleRecords.Apply)
            var crons = manifest.Crons.Where(c => c.Value.Service == name).OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new DesiredCron(c.Key, c.Value.Schedule, c.Value.Command, c.Value.Timeout, c.Value.Concurrency) { TimeZone = c.Value.TimeZone });
            services.Add(new DesiredService(name, spec, Fingerprint.Of(spec), replicas, service.Deploy.Strategy, service.Deploy.Drain, service.DependsOn)
            {
                MaxSurge = service.Deploy.MaxSurge,
                Extras = new ServiceExtras(service.Autoscale, new ValueList<string>(service.AllowFrom.Distinct().Order(StringComparer.Ordinal)), new ValueList<DesiredCron>(crons)) { Backup = backup },
            });
        }

        if (errors.Count > 0)
        {
            return new CompileResult(null, errors);
        }

        // Who may connect to whom, from both ends: a client's own record says which services let it in.
        services = services.Select(s => s with
        {
            Extras = s.Extras with
            {
                AllowedInto = new ValueList<string>(services.Where(o => o.Extras.AllowFrom.Contains(s.Name)).Select(o => o.Name).Order(StringComparer.Ordinal)),
            },
        }).ToList();
        var state = new DesiredState(project, environment, revision, Names.Network(project, environment), new ValueList<string>(volumes), new ValueList<DesiredService>(services))
        {
            Routes = new ValueList<DesiredRoute>(RoutesOf(manifest, environment, inputs.BaseDomain)),
        };
        return new CompileResult(state, []);
    }

    /// <summary>
    /// <c>backup:</c> of a service: a template's dump, or a plain service's volumes copied with it
    /// stopped; refused, never silently left out, when there is nothing the platform can back up.
    /// </summary>
    private static DesiredBackup? BackupOf(string project, string environment, string name, Service service, TemplateExpansion expansion, CompileInputs inputs, List<string> errors)
    {
        if (service.Backup is not { } spec)
        {
            return null;
        }

        if (expansion.Templates.TryGetValue(name, out var used))
        {
            var dump = expansion.BackupOf(name, spec);
            if (dump is null)
            {
                errors.Add($"services.{name}.backup: template {used.Template.Name} has no backup method yet (postgres, mariadb and redis have); remove backup: from service '{name}' rather than rely on backups that never happen");
            }

            return dump;
        }

        if (service.Volumes.Count == 0)
        {
            errors.Add($"services.{name}.backup: service '{name}' has no volumes, so there is nothing of it to back up (its image and manifest are in Git); give it volumes:, or remove backup:");
            return null;
        }

        return DesiredBackup.ForVolumes(spec, new ValueMap<string>(service.Volumes.Keys.Select(v => KeyValuePair.Create(v, VolumeName(project, environment, v, inputs.OwnedVolumes)))));
    }

    private static string VolumeName(string project, string environment, string volume, IReadOnlyCollection<string> owned)
    {
        var current = Names.Volume(project, environment, volume);
        var legacy = Names.Legacy.Volume(project, environment, volume);
        return !owned.Contains(current) && owned.Contains(legacy) ? legacy : current;
    }

    /// <summary>Public services with a port get a route: their domains, or the default one under the base domain.</summary>
    private static IEnumerable<DesiredRoute> RoutesOf(Manifest manifest, string environment, string? baseDomain) =>
        baseDomain is null
            ? []
            : manifest.Services
                .Where(s => s.Value.Public && s.Value.Port is not null)
                .Select(s => new DesiredRoute(
                    DesiredRoute.IdOf(manifest.Project, environment, s.Key),
                    s.Key,
                    s.Value.Domains.Count > 0 ? new ValueList<string>(s.Value.Domains.Order(StringComparer.Ordinal)) : new ValueList<string>([$"{s.Key}-{environment}-{manifest.Project}.{baseDomain}"]),
                    s.Value.Port!.Value));

    private static string? ImageOf(string name, Service service, CompileInputs inputs, List<string> errors)
    {
        if (service.Image is { } image)
        {
            return image;
        }

        if (service.Build is not null)
        {
            if (inputs.BuiltImages.TryGetValue(name, out var built))
            {
                return built;
            }

            errors.Add($"service '{name}' has a build but no image was built for it");
            return null;
        }

        return null; // a template that could not be expanded: its error is said already
    }
}
