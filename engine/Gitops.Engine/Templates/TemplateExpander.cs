using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;

namespace Gitops.Engine.Templates;

/// <summary>
/// A value the encrypted store must hold for a template service: a credential generated once
/// (<see cref="Text"/> null), or a text filled from its credentials (a connection URL).
/// </summary>
public sealed record TemplateSecret(string Stored, string Service, string? Text);

/// <summary>
/// The manifest with every template service turned into an ordinary one, and where each service's
/// template-given secrets are kept: service → (environment variable → stored secret name).
/// </summary>
public sealed record TemplateExpansion(Manifest Manifest, IReadOnlyDictionary<string, ValueMap<string>> SecretFrom, IReadOnlyList<TemplateSecret> Stored)
{
    /// <summary>Each template service's template, with its parameters' values and {host} (its backup commands are filled from them).</summary>
    public IReadOnlyDictionary<string, (ServiceTemplate Template, IReadOnlyDictionary<string, string> Values)> Templates { get; init; } =
        new Dictionary<string, (ServiceTemplate, IReadOnlyDictionary<string, string>)>();

    /// <summary>The backup of <paramref name="service"/>, its template's commands filled; null when it has none.</summary>
    public Desired.DesiredBackup? BackupOf(string service, BackupSpec? spec) =>
        spec is not null && Templates.TryGetValue(service, out var used) && used.Template.Backup is { } method
            ? new Desired.DesiredBackup(spec.Schedule, spec.Keep, spec.To, used.Template.Name, method.Format, Fill(method.Dump, used.Values), Fill(method.Restore, used.Values), method.Check is { } check ? Fill(check, used.Values) : null) { Verify = spec.Verify }
            : null;

    private static ValueList<string> Fill(ValueList<string> command, IReadOnlyDictionary<string, string> values) =>
        new(command.Select(a => TemplateValues.Fill(a, values)));
}

/// <summary>
/// <c>template: postgres</c> → the template's image, port, volume, health check and environment,
/// one replica replaced by stopping it first (two servers never share a data directory); every
/// service listing it in <c>dependsOn</c> gets its exports. Pure: the store is filled by
/// <see cref="TemplateCredentials"/>, the compiler does the rest as for any service.
/// </summary>
public static class TemplateExpander
{
    public static TemplateExpansion Expand(Manifest manifest, TemplateCatalogue catalogue, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(errors);
        var used = new Dictionary<string, (ServiceTemplate Template, IReadOnlyDictionary<string, string> Values)>(StringComparer.Ordinal);
        foreach (var (name, service) in manifest.Services.Where(s => s.Value.Template is not null))
        {
            if (catalogue.Find(service.Template!) is not { } template)
            {
                var error = catalogue.Errors.FirstOrDefault(e => e.Contains($"{service.Template}.y", StringComparison.Ordinal));
                errors.Add($"services.{name}.template: no template '{service.Template}' in the catalogue; templates: {string.Join(", ", catalogue.Names)}{Suggestions.Hint(service.Template!, catalogue.Names)}{(error is null ? "" : $" ({error})")}");
                continue;
            }

            if (ValuesOf(name, service, template, errors) is { } values)
            {
                used[name] = (template, values);
            }
        }

        if (used.Count == 0)
        {
            return new TemplateExpansion(manifest, new Dictionary<string, ValueMap<string>>(), []);
        }

        var stored = new Dictionary<string, TemplateSecret>(StringComparer.Ordinal);
        var secretFrom = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var services = new Dictionary<string, Service>(StringComparer.Ordinal);
        foreach (var (name, service) in manifest.Services)
        {
            var expanded = used.TryGetValue(name, out var own) ? Run(name, service, own.Template, own.Values, manifest, stored, secretFrom, errors) : service;
            services[name] = Receive(name, expanded, used, stored, secretFrom, errors);
        }

        return new TemplateExpansion(
            manifest with { Services = new ValueMap<Service>(services) },
            secretFrom.ToDictionary(p => p.Key, p => new ValueMap<string>(p.Value), StringComparer.Ordinal),
            [.. stored.Values.OrderBy(s => s.Stored, StringComparer.Ordinal)])
        {
            Templates = used.ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>The template's parameters with the service's values over their defaults, and {host}.</summary>
    private static Dictionary<string, string>? ValuesOf(string name, Service service, ServiceTemplate template, List<string> errors)
    {
        var values = template.Parameters.ToDictionary(p => p.Key, p => p.Value.Default, StringComparer.Ordinal);
        var before = errors.Count;
        foreach (var (key, value) in service.Parameters)
        {
            if (!template.Parameters.ContainsKey(key))
            {
                errors.Add($"services.{name}.parameters.{key}: template {template.Name} has no parameter '{key}'; its parameters: {(template.Parameters.Count == 0 ? "none" : string.Join(", ", template.Parameters.Keys.Order(StringComparer.Ordinal)))}");
            }
            else if (!TemplateValues.Allowed(value))
            {
                errors.Add($"services.{name}.parameters.{key}: '{value}' {TemplateValues.Rule}");
            }
            else
            {
                values[key] = value;
            }
        }

        values[TemplateReader.Host] = name;
        return errors.Count == before ? values : null;
    }

    /// <summary>The template service itself as an ordinary service.</summary>
    private static Service Run(string name, Service service, ServiceTemplate template, IReadOnlyDictionary<string, string> values, Manifest manifest, Dictionary<string, TemplateSecret> stored, Dictionary<string, Dictionary<string, string>> secretFrom, List<string> errors)
    {
        string Fill(string text) => TemplateValues.Fill(text, values);
        if (service.Port is { } port && port != template.Port)
        {
            errors.Add($"services.{name}.port: {template.Name} listens on {template.Port}; remove port: {port} (or give {template.Port})");
        }

        if (service.Replicas != 1 || service.Autoscale is not null)
        {
            errors.Add($"services.{name}: a {template.Name} service runs one replica (its data is one volume); remove {(service.Autoscale is not null ? "autoscale" : $"replicas: {service.Replicas}")}");
        }

        if (service.Public)
        {
            errors.Add($"services.{name}.public: a {template.Name} service is reached only by the project's services (dependsOn); remove public: true");
        }

        foreach (var key in service.Env.Keys.Where(template.SecretEnv.ContainsKey))
        {
            errors.Add($"services.{name}.env.{key}: template {template.Name} generates {key} into the encrypted store; remove it from env");
        }

        // The data volume: the service's own where it mounts one at the template's path, else one named after the service.
        var volumes = service.Volumes.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        foreach (var (volume, path) in template.Volumes.Where(v => !service.Volumes.Values.Contains(v.Value)))
        {
            var volumeName = $"{name}-{volume}";
            var sharer = manifest.Services.FirstOrDefault(s => s.Key != name && s.Value.Volumes.ContainsKey(volumeName)).Key;
            if (sharer is not null || volumes.ContainsKey(volumeName))
            {
                errors.Add($"services.{name}: template {template.Name} keeps its data on volume '{volumeName}', which {(sharer is null ? $"service '{name}' mounts elsewhere" : $"service '{sharer}' mounts too")}; mount a volume of its own at {path}");
            }

            volumes[volumeName] = path;
        }

        var own = secretFrom[name] = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, text) in template.SecretEnv)
        {
            own[key] = Keep(name, key, Fill(text), template, stored);
        }

        var env = template.Env.ToDictionary(e => e.Key, e => Fill(e.Value), StringComparer.Ordinal);
        foreach (var (key, value) in service.Env)
        {
            env[key] = value; // the service's own settings over the template's (e.g. POSTGRES_INITDB_ARGS)
        }

        return service with
        {
            Template = null,
            Parameters = ValueMap<string>.Empty,
            Image = Fill(template.Image),
            Port = template.Port,
            Volumes = new ValueMap<string>(volumes),
            Env = new ValueMap<string>(env),
            Secrets = new ValueList<string>(service.Secrets.Concat(template.SecretEnv.Keys).Distinct()),
            User = service.User ?? template.User,
            Command = service.Command ?? (template.Command is { } command ? new ValueList<string>(command.Select(Fill)) : null),
            Health = service.Health ?? (template.Health is { } health ? new HealthCheck
            {
                Command = new ValueList<string>(health.Command.Select(Fill)),
                Interval = health.Interval,
                Timeout = health.Timeout,
                Retries = health.Retries,
            } : null),
            Deploy = service.Deploy with { Strategy = DeployStrategy.Recreate },
        };
    }

    /// <summary>The exports of every template service <paramref name="name"/> depends on.</summary>
    private static Service Receive(string name, Service service, Dictionary<string, (ServiceTemplate Template, IReadOnlyDictionary<string, string> Values)> used, Dictionary<string, TemplateSecret> stored, Dictionary<string, Dictionary<string, string>> secretFrom, List<string> errors)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal); // variable → the service it came from
        var env = service.Env.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var secrets = service.Secrets.ToList();
        foreach (var dependency in service.DependsOn.Where(used.ContainsKey))
        {
            var (template, values) = used[dependency];
            var credentials = template.Generate.ToHashSet(StringComparer.Ordinal);
            foreach (var (key, text) in template.Exports)
            {
                if (given.TryGetValue(key, out var other))
                {
                    errors.Add($"services.{name}.dependsOn: {dependency} and {other} both give {key}; a service receives it from one template service only");
                    continue;
                }

                if (service.Env.ContainsKey(key) || service.Secrets.Contains(key))
                {
                    errors.Add($"services.{name}.{(service.Env.ContainsKey(key) ? "env" : "secrets")}.{key}: {dependency} ({template.Name}) gives {key} to the services that depend on it; remove it here");
                    continue;
                }

                given[key] = dependency;
                var filled = TemplateValues.Fill(text, values);
                if (TemplateValues.HoldsAny(text, credentials))
                {
                    var from = secretFrom.TryGetValue(name, out var map) ? map : secretFrom[name] = new Dictionary<string, string>(StringComparer.Ordinal);
                    from[key] = Keep(dependency, key, filled, template, stored);
                    secrets.Add(key);
                }
                else
                {
                    env[key] = filled;
                }
            }
        }

        return given.Count == 0 ? service : service with { Env = new ValueMap<string>(env), Secrets = new ValueList<string>(secrets.Distinct()) };
    }

    /// <summary>The stored name of a secret value: the credential itself, or a text made from credentials.</summary>
    private static string Keep(string service, string key, string filled, ServiceTemplate template, Dictionary<string, TemplateSecret> stored)
    {
        foreach (var credential in template.Generate)
        {
            stored.TryAdd($"{service}.{credential}", new TemplateSecret($"{service}.{credential}", service, null));
        }

        if (template.Generate.FirstOrDefault(c => filled == $"{{{c}}}") is { } only)
        {
            return $"{service}.{only}";
        }

        var name = $"{service}.{key}";
        stored[name] = new TemplateSecret(name, service, filled);
        return name;
    }
}
