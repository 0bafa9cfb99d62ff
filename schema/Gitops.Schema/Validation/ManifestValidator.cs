using Cronos;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;

namespace Gitops.Schema.Validation;

/// <summary>
/// Checks what a manifest means once its shape is right: names, references, cycles, ranges,
/// paths. Pure: records and a <see cref="SourceMap"/> in, diagnostics out.
/// </summary>
public sealed partial class ManifestValidator
{
    private readonly Manifest _manifest;
    private readonly SourceMap _map;
    private readonly List<Diagnostic> _errors;

    private ManifestValidator(Manifest manifest, SourceMap map, List<Diagnostic> errors) =>
        (_manifest, _map, _errors) = (manifest, map, errors);

    public static void Validate(Manifest manifest, SourceMap map, List<Diagnostic> errors)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var validator = new ManifestValidator(manifest, map, errors);
        validator.CheckHeader();
        validator.CheckEnvironments();
        foreach (var (name, service) in manifest.Services)
        {
            validator.CheckService(name, service, $"services.{name}");
        }

        validator.CheckDependencyCycles();
        foreach (var (name, cron) in manifest.Crons)
        {
            validator.CheckCron(name, cron, $"crons.{name}");
        }

        validator.CheckOverrides();
        validator.CheckNotify(manifest.Notify, "notify");
        validator.CheckPreviews(manifest.Previews);
    }

    /// <summary>Preview environments are named pr-NUMBER by the platform; a declared one would be destroyed with a pull request.</summary>
    private void CheckPreviews(PreviewSpec previews)
    {
        foreach (var name in _manifest.Environments.Keys.Where(n => PreviewName().IsMatch(n)))
        {
            Report(ErrorCodes.Name, $"environments.{name}", $"'{name}' is the name of a pull request's preview environment; name this environment otherwise", atKey: true);
        }

        CheckBetween(previews.Max, 1, 50, "previews.max", "previews.max");
        if (previews.Ttl.Value < TimeSpan.FromMinutes(1) || previews.Ttl.Value > TimeSpan.FromDays(30))
        {
            Report(ErrorCodes.Range, "previews.ttl", $"previews.ttl must be between 1m and 30d, not {previews.Ttl}");
        }

        CheckName(previews.Target, "previews.target", "target", atKey: false);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^pr-[0-9]+$")]
    private static partial System.Text.RegularExpressions.Regex PreviewName();

    private void CheckHeader()
    {
        if (_manifest.Version != Manifest.CurrentVersion && _map.IsWritten("version"))
        {
            Report(ErrorCodes.Version, "version", $"version {_manifest.Version} is not supported; this platform reads version {Manifest.CurrentVersion}");
        }

        if (_map.IsWritten("project"))
        {
            CheckName(_manifest.Project, "project", "project", atKey: false);
        }
    }

    private void CheckEnvironments()
    {
        if (_manifest.Environments.Count == 0)
        {
            Report(ErrorCodes.Required, "environments", "declare at least one environment, e.g. production: { branch: main }");
        }

        foreach (var (name, environment) in _manifest.Environments)
        {
            var path = $"environments.{name}";
            CheckName(name, path, "environment", atKey: true);
            if (environment.Branch.Length > 0 && !Grammar.Branch().IsMatch(environment.Branch))
            {
                Report(ErrorCodes.Name, $"{path}.branch", $"'{environment.Branch}' is not a valid branch name");
            }

            CheckName(environment.Target, $"{path}.target", "target", atKey: false);
        }
    }

    private void CheckService(string name, Service service, string path)
    {
        CheckName(name, path, "service", atKey: true);
        CheckSource(name, service, path);
        CheckNetworking(name, service, path);
        CheckScaling(service, path);
        CheckHealth(service, path);
        if (service.User is { } user && !UserGrammar().IsMatch(user))
        {
            Report(ErrorCodes.Range, $"{path}.user", $"'{user}' is not a user: give UID, UID:GID (numbers) or a user name (lowercase letters, digits, '_' and '-')");
        }
        CheckEnvironmentVariables(service, path);
        CheckResources(service.Resources, $"{path}.resources");
        CheckCommand(service.Command, $"{path}.command");
        CheckReferences(name, service.DependsOn, $"{path}.dependsOn", "dependsOn");
        CheckReferences(name, service.AllowFrom, $"{path}.allowFrom", "allowFrom");
        CheckDependenciesLetIn(name, service.DependsOn, $"{path}.dependsOn");
        CheckVolumes(service, path);
        CheckPlacement(service.Placement, $"{path}.placement");
        CheckDeploy(service.Deploy, $"{path}.deploy");
        if (service.Backup is { } backup)
        {
            CheckCronExpression(backup.Schedule, $"{path}.backup.schedule");
            CheckAtLeast(backup.Keep, 1, $"{path}.backup.keep", "backup.keep");
            CheckName(backup.To, $"{path}.backup.to", "backup destination", atKey: false);
        }
    }

    /// <summary>Swarm's constraint grammar: a node or engine attribute, == or !=, a value without spaces.</summary>
    private void CheckPlacement(ValueList<string> placement, string path)
    {
        for (var i = 0; i < placement.Count; i++)
        {
            if (!PlacementConstraint().IsMatch(placement[i]))
            {
                Report(ErrorCodes.Placement, $"{path}[{i}]", $"'{Shorten(placement[i])}' is not a placement constraint like node.labels.zone == eu (node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.KEY or engine.labels.KEY; then == or !=; then a value)");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9][A-Za-z0-9._-]*)|engine\.labels\.[A-Za-z0-9][A-Za-z0-9._-]*)\s*(==|!=)\s*[^\s=!]+\s*$")]
    private static partial System.Text.RegularExpressions.Regex PlacementConstraint();

    private void CheckSource(string name, Service service, string path)
    {
        var given = new[] { ("build", service.Build is not null), ("image", service.Image is not null), ("template", service.Template is not null) }
            .Where(s => s.Item2).Select(s => s.Item1).ToList();
        if (given.Count != 1)
        {
            var message = given.Count == 0
                ? $"service '{name}' needs one of build, image or template"
                : $"service '{name}' gives {string.Join(" and ", given)}; give exactly one of build, image or template";
            Report(ErrorCodes.Source, path, message, atKey: true);
        }

        if (service.Image is { } image && ImageReferencePolicy.Refusal(image) is { } refusal)
        {
            Report(ErrorCodes.Image, $"{path}.image", refusal);
        }

        // Which templates exist is the platform's catalogue (built-in and its data directory's):
        // the compile names an unknown one with the catalogue's names; here only its form is checked.
        if (service.Template is { } template && !TemplateName().IsMatch(template))
        {
            Report(ErrorCodes.Template, $"{path}.template", $"'{template}' is not a template name (lowercase letters, digits and '-'); see paas templates list");
        }

        if (service.Template is null && service.Parameters.Count > 0)
        {
            Report(ErrorCodes.Template, $"{path}.parameters", $"parameters are a template's; service '{name}' uses no template", atKey: true);
        }

        if (service.Build is { } build)
        {
            CheckBuild(build, $"{path}.build");
        }
    }

    private void CheckBuild(BuildSpec build, string path)
    {
        var context = RepositoryPath.Normalize(build.Context);
        if (context is null)
        {
            Report(ErrorCodes.PathEscape, $"{path}.context", $"build context '{build.Context}' must be a relative path inside the repository");
        }
        else if (RepositoryPath.Combine(context, build.Dockerfile) is null)
        {
            Report(ErrorCodes.PathEscape, $"{path}.dockerfile", $"dockerfile '{build.Dockerfile}' must be a relative path inside the repository");
        }

        foreach (var key in build.Args.Keys)
        {
            CheckEnvKey(key, $"{path}.args.{key}", "build argument");
        }
    }

    private void CheckNetworking(string name, Service service, string path)
    {
        if (service.Port is { } port && port is < 1 or > 65535)
        {
            Report(ErrorCodes.Port, $"{path}.port", $"port {port} is outside 1-65535");
        }

        if (service.Public && service.Port is null)
        {
            Report(ErrorCodes.Port, $"{path}.public", $"public service '{name}' needs a port to route traffic to");
        }

        if (!service.Public && service.Domains.Count > 0)
        {
            Report(ErrorCodes.Conflict, $"{path}.domains", $"service '{name}' has domains but is not public; add 'public: true' or remove the domains");
        }

        for (var i = 0; i < service.Domains.Count; i++)
        {
            if (!Grammar.Domain().IsMatch(service.Domains[i]))
            {
                Report(ErrorCodes.Domain, $"{path}.domains[{i}]", $"'{service.Domains[i]}' is not a domain name like shop.example.com");
            }
        }
    }

    private void CheckScaling(Service service, string path)
    {
        CheckBetween(service.Replicas, 0, 1000, $"{path}.replicas", "replicas");
        if (service.Autoscale is not { } autoscale)
        {
            return;
        }

        if (_map.IsWritten($"{path}.replicas"))
        {
            Report(ErrorCodes.Conflict, $"{path}.autoscale", "give either replicas or autoscale, not both", atKey: true);
        }

        CheckBetween(autoscale.Min, 1, 1000, $"{path}.autoscale.min", "autoscale.min");
        CheckBetween(autoscale.Max, 1, 1000, $"{path}.autoscale.max", "autoscale.max");
        if (autoscale.Max < autoscale.Min)
        {
            Report(ErrorCodes.Range, $"{path}.autoscale.max", $"autoscale.max ({autoscale.Max}) is below autoscale.min ({autoscale.Min})");
        }

        if (autoscale.Cpu is { } cpu)
        {
            CheckBetween(cpu, 1, 100, $"{path}.autoscale.cpu", "autoscale.cpu (percent)");
        }

        if (autoscale.Memory is { } memory)
        {
            CheckBetween(memory, 1, 100, $"{path}.autoscale.memory", "autoscale.memory (percent)");
        }

        CheckAtLeast(autoscale.P95Ms ?? 1, 1, $"{path}.autoscale.p95Ms", "autoscale.p95Ms");
        CheckAtLeast(autoscale.Rps ?? 1, 1, $"{path}.autoscale.rps", "autoscale.rps");
        if (!service.Public && (autoscale.Rps is not null || autoscale.P95Ms is not null))
        {
            // Requests and their latency are counted where they enter: the ingress, which only public services pass.
            var field = autoscale.Rps is not null ? "rps" : "p95Ms";
            Report(ErrorCodes.Conflict, $"{path}.autoscale.{field}", $"autoscale.{field} is measured at the ingress, and this service is not public (public: true), so nothing would measure it; scale it on cpu or memory");
        }
    }

    private void CheckHealth(Service service, string path)
    {
        if (service.Health is not { } health)
        {
            return;
        }

        path = $"{path}.health";
        if (health.Command is { } command)
        {
            if (command.Count == 0 || command.Any(string.IsNullOrWhiteSpace))
            {
                Report(ErrorCodes.HealthPath, $"{path}.command", "health.command needs the program and its arguments, none of them empty");
            }

            if (health.Path != "/" || health.Port is not null)
            {
                Report(ErrorCodes.HealthPath, $"{path}.command", $"health gives a command and {(health.Port is not null ? "a port" : "a path")}; a check is either an HTTP GET (path, port) or a command");
            }
        }
        else if (!health.Path.StartsWith('/') || health.Path.Any(char.IsWhiteSpace))
        {
            Report(ErrorCodes.HealthPath, $"{path}.path", $"health path '{health.Path}' must start with '/' and hold no spaces");
        }

        if (health.Port is { } port && port is < 1 or > 65535)
        {
            Report(ErrorCodes.Port, $"{path}.port", $"port {port} is outside 1-65535");
        }
        else if (health.Command is null && health.Port is null && service.Port is null)
        {
            Report(ErrorCodes.Port, path, "an HTTP health check needs the service's port or health.port", atKey: true);
        }

        CheckBetween(health.Retries, 1, 100, $"{path}.retries", "health.retries");
        if (health.Timeout.Value <= TimeSpan.Zero || health.Interval.Value <= TimeSpan.Zero)
        {
            Report(ErrorCodes.Range, $"{path}.interval", "health interval and timeout must be longer than 0s");
        }
    }

    private void CheckEnvironmentVariables(Service service, string path)
    {
        foreach (var key in service.Env.Keys)
        {
            CheckEnvKey(key, $"{path}.env.{key}", "environment variable");
        }

        for (var i = 0; i < service.Secrets.Count; i++)
        {
            var secret = service.Secrets[i];
            CheckEnvKey(secret, $"{path}.secrets[{i}]", "secret", atKey: false);
            if (service.Env.ContainsKey(secret))
            {
                Report(ErrorCodes.Conflict, $"{path}.secrets[{i}]", $"'{secret}' is both an env variable and a secret; keep one");
            }
        }
    }

    private void CheckResources(Resources resources, string path)
    {
        if (resources.Cpu is { Millicores: < 10 } cpu)
        {
            Report(ErrorCodes.Range, $"{path}.cpu", $"cpu {cpu} is below the smallest limit, 10m");
        }

        if (resources.Memory is { Bytes: < 6 * 1024 * 1024 } memory)
        {
            Report(ErrorCodes.Range, $"{path}.memory", $"memory {memory} is below the smallest limit engines accept, 6Mi");
        }
    }

    private void CheckCommand(ValueList<string>? command, string path)
    {
        if (command is { Count: 0 })
        {
            Report(ErrorCodes.Range, path, "command needs at least one argument; remove it to use the image's own command");
        }
    }

    private void CheckReferences(string self, ValueList<string> names, string path, string field)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (name == self)
            {
                Report(ErrorCodes.Cycle, $"{path}[{i}]", $"service '{self}' lists itself in {field}");
            }
            else if (!_manifest.Services.ContainsKey(name))
            {
                Report(ErrorCodes.UnknownReference, $"{path}[{i}]", $"{field} names '{name}', which is not a service of this project{Suggestions.Hint(name, _manifest.Services.Keys)}");
            }
        }
    }

    /// <summary>A service that depends on one whose allowFrom leaves it out could never connect to it, on any target.</summary>
    private void CheckDependenciesLetIn(string self, ValueList<string> dependsOn, string path)
    {
        for (var i = 0; i < dependsOn.Count; i++)
        {
            if (_manifest.Services.GetValueOrDefault(dependsOn[i]) is { AllowFrom.Count: > 0 } dependency && !dependency.AllowFrom.Contains(self))
            {
                Report(ErrorCodes.Conflict, $"{path}[{i}]", $"{self} depends on {dependsOn[i]}, whose allowFrom [{string.Join(", ", dependency.AllowFrom)}] does not let {self} in; add {self} to {dependsOn[i]}'s allowFrom, or drop the dependency");
            }
        }
    }

    private void CheckVolumes(Service service, string path)
    {
        foreach (var (name, mount) in service.Volumes)
        {
            var volumePath = $"{path}.volumes.{name}";
            CheckName(name, volumePath, "volume", atKey: true);
            if (!mount.StartsWith('/') || mount == "/" || mount.Split('/').Contains("..") || mount.Contains('\0', StringComparison.Ordinal))
            {
                Report(ErrorCodes.MountPath, volumePath, $"volume '{name}' must mount at an absolute path inside the container other than '/', without '..'");
            }
        }
    }

    private void CheckDeploy(DeploySpec deploy, string path)
    {
        CheckBetween(deploy.MaxSurge ?? 1, 1, 100, $"{path}.maxSurge", "deploy.maxSurge");
    }

    /// <summary>Reports each dependsOn cycle once, as the chain of names that closes it.</summary>
    private void CheckDependencyCycles()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in _manifest.Services.Keys)
        {
            Visit(start, []);
        }

        void Visit(string name, List<string> trail)
        {
            if (state.GetValueOrDefault(name) == 2 || !_manifest.Services.TryGetValue(name, out var service))
            {
                return;
            }

            if (state.GetValueOrDefault(name) == 1)
            {
                var cycle = trail.Skip(trail.IndexOf(name)).Append(name).ToList();
                var key = string.Join(",", cycle.Skip(1).Order(StringComparer.Ordinal));
                if (reported.Add(key))
                {
                    Report(ErrorCodes.Cycle, $"services.{cycle[0]}.dependsOn", $"dependsOn forms a cycle: {string.Join(" → ", cycle)}");
                }

                return;
            }

            state[name] = 1;
            trail.Add(name);
            foreach (var next in service.DependsOn.Where(d => d != name))
            {
                Visit(next, trail);
            }

            trail.RemoveAt(trail.Count - 1);
            state[name] = 2;
        }
    }

    private void CheckCron(string name, Cron cron, string path)
    {
        CheckName(name, path, "cron", atKey: true);
        if (cron.Service.Length == 0)
        {
            Report(ErrorCodes.Required, path, $"cron '{name}' needs 'service'", atKey: true);
        }
        else if (!_manifest.Services.ContainsKey(cron.Service))
        {
            Report(ErrorCodes.UnknownReference, $"{path}.service", $"cron '{name}' runs in '{cron.Service}', which is not a service of this project{Suggestions.Hint(cron.Service, _manifest.Services.Keys)}");
        }

        if (cron.Schedule.Length == 0)
        {
            Report(ErrorCodes.Required, path, $"cron '{name}' needs 'schedule'", atKey: true);
        }
        else
        {
            CheckCronExpression(cron.Schedule, $"{path}.schedule");
        }

        if (cron.TimeZone is { } zone && !KnownTimeZone(zone))
        {
            Report(ErrorCodes.Cron, $"{path}.timeZone", $"'{zone}' is not a time zone this machine knows (an IANA name such as Europe/Paris or America/New_York)");
        }

        CheckCommand(cron.Command, $"{path}.command");
        if (cron.Timeout.Value <= TimeSpan.Zero)
        {
            Report(ErrorCodes.Range, $"{path}.timeout", "timeout must be longer than 0s");
        }
    }

    private static bool KnownTimeZone(string zone)
    {
        try
        {
            return zone.Length > 0 && TimeZoneInfo.FindSystemTimeZoneById(zone) is not null;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    private void CheckCronExpression(string expression, string path)
    {
        try
        {
            _ = CronExpression.Parse(expression, CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            Report(ErrorCodes.Cron, path, $"'{expression}' is not a cron expression (minute hour day month weekday): {e.Message}");
        }
    }

    private void CheckOverrides()
    {
        foreach (var (environment, overrides) in _manifest.Overrides)
        {
            var path = $"overrides.{environment}";
            if (!_manifest.Environments.ContainsKey(environment))
            {
                Report(ErrorCodes.UnknownReference, path, $"overrides name environment '{environment}', which is not declared{Suggestions.Hint(environment, _manifest.Environments.Keys)}", atKey: true);
            }

            foreach (var service in overrides.Services.Keys.Where(s => !_manifest.Services.ContainsKey(s)))
            {
                Report(ErrorCodes.UnknownReference, $"{path}.services.{service}", $"override of service '{service}', which the base manifest does not declare{Suggestions.Hint(service, _manifest.Services.Keys)}", atKey: true);
            }

            foreach (var cron in overrides.Crons.Keys.Where(c => !_manifest.Crons.ContainsKey(c)))
            {
                Report(ErrorCodes.UnknownReference, $"{path}.crons.{cron}", $"override of cron '{cron}', which the base manifest does not declare{Suggestions.Hint(cron, _manifest.Crons.Keys)}", atKey: true);
            }

            CheckNotify(overrides.Notify, $"{path}.notify");
        }
    }

    private void CheckNotify(ValueList<NotifyRule> rules, string path)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            CheckName(rule.Channel, $"{path}[{i}].channel", "channel", atKey: false);
            for (var j = 0; j < rule.On.Count; j++)
            {
                var name = rule.On[j];
                if (!Catalogues.NotifyEvents.Contains(name))
                {
                    Report(ErrorCodes.NotifyEvent, $"{path}[{i}].on[{j}]", $"unknown event '{name}'{Suggestions.Hint(name, Catalogues.NotifyEvents)}");
                }
            }
        }
    }

    private void CheckName(string name, string path, string what, bool atKey)
    {
        if (!Grammar.Name().IsMatch(name))
        {
            Report(ErrorCodes.Name, path, $"{what} name '{Shorten(name)}' must be lower-case letters, digits and '-', start with a letter, at most 63 characters", atKey);
        }
    }

    private void CheckEnvKey(string key, string path, string what, bool atKey = true)
    {
        if (!Grammar.EnvKey().IsMatch(key))
        {
            Report(ErrorCodes.EnvKey, path, $"{what} name '{Shorten(key)}' must be letters, digits and '_', not starting with a digit", atKey);
        }
    }

    private void CheckBetween(int value, int min, int max, string path, string what)
    {
        if (value < min || value > max)
        {
            Report(ErrorCodes.Range, path, $"{what} is {value}; it must be between {min} and {max}");
        }
    }

    private void CheckAtLeast(int value, int min, string path, string what)
    {
        if (value < min)
        {
            Report(ErrorCodes.Range, path, $"{what} is {value}; it must be at least {min}");
        }
    }

    private void Report(string code, string path, string message, bool atKey = false) =>
        _errors.Add(new Diagnostic(code, message, _map.Locate(path, atKey), path));

    private static string Shorten(string text) => text.Length <= 70 ? text : $"{text[..67]}...";

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial System.Text.RegularExpressions.Regex TemplateName();

    [System.Text.RegularExpressions.GeneratedRegex("^([0-9]{1,9}(:[0-9]{1,9})?|[a-z_][a-z0-9_-]{0,31}(:[a-z_][a-z0-9_-]{0,31})?)$")]
    private static partial System.Text.RegularExpressions.Regex UserGrammar();
}
