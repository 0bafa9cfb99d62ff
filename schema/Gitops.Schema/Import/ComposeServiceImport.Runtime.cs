using System.Text.RegularExpressions;
using Gitops.Schema.Model;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>depends_on, links, user, deploy and restart, and the keys the container policy decides.</summary>
internal sealed partial class ComposeServiceImport
{
    /// <summary>Capabilities a Docker or Podman replica keeps after paas drops all the others (ContainerPolicy).</summary>
    private static readonly string[] KeptCapabilities = ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE", "KILL"];

    private void Dependencies()
    {
        if (Get("depends_on") is { } node)
        {
            switch (node)
            {
                case YSequence list:
                    foreach (var item in list.Items)
                    {
                        if (Text("depends_on", item) is { } name)
                        {
                            _service.DependsOn.Add((name, item));
                        }
                    }

                    break;
                case YMapping map:
                    foreach (var entry in map.Entries)
                    {
                        Dependency(entry.Key.Value, entry.Key, entry.Value);
                    }

                    break;
                default:
                    Drop("depends_on", node, "expected a list of services or a mapping of service: { condition }");
                    break;
            }
        }

        if (Get("links") is YSequence links)
        {
            foreach (var item in links.Items)
            {
                if (Text("links", item) is not { } link)
                {
                    continue;
                }

                var parts = link.Split(':');
                _service.DependsOn.Add((parts[0], item));
                if (parts.Length > 1 && parts[1] != parts[0])
                {
                    Drop("links", item, $"the alias {parts[1]}: the service is reached by its name, {parts[0]} (a link still makes it a dependency)");
                }
            }
        }
        else if (Get("links") is { } other)
        {
            Drop("links", other, "expected a list of services");
        }
    }

    private void Dependency(string name, YNode at, YNode options)
    {
        var condition = "service_started";
        if (options is YMapping map)
        {
            foreach (var entry in map.Entries)
            {
                var value = Text($"depends_on.{name}.{entry.Key.Value}", entry.Value);
                switch (entry.Key.Value)
                {
                    case "condition":
                        condition = value ?? condition;
                        break;
                    case "restart" when value is not null && ComposeUnits.Boolean(value) == true:
                        Drop($"depends_on.{name}.restart", entry.Value, $"paas does not restart this service when {name} is replaced");
                        break;
                    case "required" when value is not null && ComposeUnits.Boolean(value) == false:
                        Change($"depends_on.{name}.required", entry.Value, $"{name} is a dependency like any other: paas.yaml has no optional ones");
                        break;
                    case "restart" or "required":
                        break;
                    default:
                        Drop($"depends_on.{name}.{entry.Key.Value}", entry.Value, $"'{entry.Key.Value}' is not a key of Compose's depends_on");
                        break;
                }
            }
        }

        switch (condition)
        {
            case "service_completed_successfully":
                Drop($"depends_on.{name}", at, $"{name} is a run-once job here, and paas.yaml's services run until stopped (paas restarts them): run the job from this service's entrypoint before it starts, or as a cron");
                return;
            case "service_started" or "service_healthy":
                _service.DependsOn.Add((name, at));
                return;
            default:
                Drop($"depends_on.{name}.condition", options, "expected service_started, service_healthy or service_completed_successfully");
                _service.DependsOn.Add((name, at));
                return;
        }
    }

    private void User()
    {
        if (Get("user") is { } node && Text("user", node) is { } user)
        {
            if (UserGrammar().IsMatch(user))
            {
                _service.User = user;
            }
            else
            {
                Drop("user", node, "paas.yaml takes UID, UID:GID or a lower-case user name the image knows");
            }
        }
    }

    /// <summary>
    /// Official database images start as root to hand their data directory to their own user, which
    /// needs a capability paas drops (DAC_OVERRIDE): with a volume, their second start fails. Run as
    /// that user from the start, as the template catalogue does.
    /// </summary>
    private void OfficialImageUser()
    {
        if (_service.User is not null || _service.Volumes.Count == 0 || _service.Image is not { } image || ImageName.TryParse(image) is not { } name
            || name.Domain is not (null or "docker.io" or "index.docker.io"))
        {
            return;
        }

        var repository = name.Path.StartsWith("library/", StringComparison.Ordinal) ? name.Path["library/".Length..] : name.Path;
        var alpine = name.Tag?.Contains("alpine", StringComparison.Ordinal) == true;
        _service.User = repository switch
        {
            "postgres" => alpine ? "70:70" : "999:999",
            "redis" => alpine ? "999:1000" : "999:999",
            "mariadb" or "mysql" or "mongo" => "999:999",
            _ => null,
        };
        if (_service.User is { } user)
        {
            _context.Note(ComposeNoteKind.Changed, _compose, "image", Get("image")!, $"user: {user} added: the official {repository} image starts as root only to give its data directory to that user, with a capability paas drops (DAC_OVERRIDE), so with a volume it would not start twice; it runs as that user from the start, as paas's postgres, mariadb and redis templates do", null);
        }
    }

    private void Deploy()
    {
        if (Get("deploy") is YMapping deploy)
        {
            foreach (var entry in deploy.Entries)
            {
                DeployKey(entry.Key.Value, entry.Value);
            }
        }
        else if (Get("deploy") is { } other)
        {
            Drop("deploy", other, "expected a mapping");
        }

        if (Get("scale") is { } scale && _service.Replicas is null)
        {
            _service.Replicas = Replicas("scale", scale);
        }

        if (Get("mem_limit") is { } memory && _service.Memory is null)
        {
            _service.Memory = Memory("mem_limit", memory);
        }

        if (Get("cpus") is { } cpus && _service.Cpu is null)
        {
            _service.Cpu = Cpu("cpus", cpus);
        }

        if (Get("restart") is { } restart && Text("restart", restart) is { } policy && policy is not ("always" or "unless-stopped"))
        {
            Change("restart", restart, "paas restarts every replica that stops, unless you stop it (unless-stopped): a run-once job belongs in a cron or the entrypoint of the service that needs it");
        }

        if (Get("runtime") is { } runtime && Text("runtime", runtime) is { } name)
        {
            if (name is "runsc" or "gvisor")
            {
                _service.Gvisor = true;
            }
            else if (name is not ("runc" or "crun"))
            {
                Drop("runtime", runtime, "paas runs replicas with the engine's default runtime, or gVisor with sandbox: gvisor");
            }
        }
    }

    private void DeployKey(string key, YNode value)
    {
        switch (key)
        {
            case "replicas":
                _service.Replicas = Replicas("deploy.replicas", value);
                break;
            case "resources" when value is YMapping resources:
                foreach (var entry in resources.Entries)
                {
                    if (entry.Key.Value == "limits" && entry.Value is YMapping limits)
                    {
                        foreach (var limit in limits.Entries)
                        {
                            switch (limit.Key.Value)
                            {
                                case "cpus":
                                    _service.Cpu = Cpu("deploy.resources.limits.cpus", limit.Value);
                                    break;
                                case "memory":
                                    _service.Memory = Memory("deploy.resources.limits.memory", limit.Value);
                                    break;
                                default:
                                    Drop($"deploy.resources.limits.{limit.Key.Value}", limit.Value, limit.Key.Value == "pids"
                                        ? "every container is limited to 512 processes; paas.yaml does not change it"
                                        : "paas.yaml limits cpu and memory only");
                                    break;
                            }
                        }
                    }
                    else
                    {
                        Drop($"deploy.resources.{entry.Key.Value}", entry.Value, entry.Key.Value == "reservations"
                            ? "paas.yaml has limits only (resources.cpu, resources.memory), no reservations or devices"
                            : "paas.yaml has resources.cpu and resources.memory limits only");
                    }
                }

                break;
            case "update_config" when value is YMapping update:
                foreach (var entry in update.Entries)
                {
                    var text = Text($"deploy.update_config.{entry.Key.Value}", entry.Value);
                    if (entry.Key.Value == "order" && text is "stop-first" or "start-first")
                    {
                        _service.Strategy = text == "stop-first" ? DeployStrategy.Recreate : DeployStrategy.Rolling;
                    }
                    else if (text is not null)
                    {
                        Drop($"deploy.update_config.{entry.Key.Value}", entry.Value, "paas rolls out one replica at a time, each healthy before an old one stops, and rolls back a failed deploy by itself");
                    }
                }

                break;
            case "mode" when value is YScalar mode && Text("deploy.mode", mode) is "replicated" or null:
                break;
            case "restart_policy":
                Change("deploy.restart_policy", value, "paas restarts every replica that stops, unless you stop it");
                break;
            case "placement":
                Drop("deploy.placement", value, "placement applies to a swarm target only, and this file deploys to the local engine: add placement: [\"node.labels.zone == eu\"] when it deploys to a swarm");
                break;
            default:
                Drop($"deploy.{key}", value, key switch
                {
                    "mode" => "paas runs replicas: replicas: or autoscale:, not one per node",
                    "labels" => "paas sets its own labels",
                    "rollback_config" => "paas rolls back a failed deploy by itself, to the replicas that ran",
                    "endpoint_mode" => "the project's other services reach it by its name, which the engine's resolver answers",
                    _ => $"'{key}' is not carried: paas.yaml's deploy has strategy, maxSurge and drain",
                });
                break;
        }
    }

    private int? Replicas(string key, YNode node)
    {
        var text = Text(key, node);
        if (text is not null && ComposeUnits.Integer(text, 0, 1000) is { } replicas)
        {
            return replicas;
        }

        if (text is not null)
        {
            Drop(key, node, "paas.yaml takes 0 to 1000 replicas");
        }

        return null;
    }

    private ByteSize? Memory(string key, YNode node)
    {
        var text = Text(key, node);
        if (text is not null && ComposeUnits.Bytes(text) is { } bytes && bytes.Bytes >= 6 * 1024 * 1024)
        {
            return bytes;
        }

        if (text is not null)
        {
            Drop(key, node, "not a memory size of at least 6m (the smallest limit engines accept); the platform's default (256Mi) applies");
        }

        return null;
    }

    private CpuQuantity? Cpu(string key, YNode node)
    {
        var text = Text(key, node);
        if (text is not null && ComposeUnits.Cpus(text) is { Millicores: >= 10 } cpu)
        {
            return cpu;
        }

        if (text is not null)
        {
            Drop(key, node, "not a CPU amount of at least 0.01");
        }

        return null;
    }

    /// <summary>The keys the container policy decides: what the secure defaults already give is carried, the rest is noted.</summary>
    private void Security()
    {
        if (Get("init") is YScalar init && ComposeUnits.Boolean(init.Value) == false)
        {
            Change("init", init, "paas runs every replica with an init as PID 1, so it stops at once on SIGTERM");
        }

        if (Get("cap_add") is { } add)
        {
            var capabilities = Capabilities("cap_add", add);
            var missing = capabilities.Where(c => !KeptCapabilities.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                Drop("cap_add", add, $"paas drops every capability but {string.Join(", ", KeptCapabilities)} and adds none ({string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} refused by the container policy)");
            }
        }

        if (Get("cap_drop") is { } drop)
        {
            var dropped = Capabilities("cap_drop", drop);
            var kept = dropped.Contains("ALL") ? KeptCapabilities.ToList() : dropped.Where(KeptCapabilities.Contains).ToList();
            if (kept.Count > 0)
            {
                Change("cap_drop", drop, $"paas drops every capability but {string.Join(", ", kept)}, which {(kept.Count == 1 ? "this one keeps" : "these keep")}");
            }
        }

        if (Get("security_opt") is YSequence options)
        {
            foreach (var option in options.Items)
            {
                if (Text("security_opt", option) is { } text && NoNewPrivileges().IsMatch(text))
                {
                    continue; // every replica runs with no-new-privileges
                }

                Drop("security_opt", option, "paas sets the security options itself (no-new-privileges, the engine's seccomp and AppArmor profiles); profiles cannot be loosened or replaced");
            }
        }

        Namespace("network_mode", null, ComposeKeys.SharedNetwork);
        Namespace("pid", null, "paas gives each replica a process namespace of its own");
        Namespace("ipc", "private", "paas gives each replica an IPC namespace of its own");
        if (Get("secrets") is { } secrets)
        {
            var names = secrets is YSequence list
                ? list.Items.Select(i => i is YMapping m && m["source"] is YScalar s ? s.Value : (i as YScalar)?.Value).OfType<string>().ToList()
                : [];
            Drop("secrets", secrets, $"Compose mounts each secret as a file under /run/secrets; paas gives secrets as environment variables (files only on a swarm target): store each with paas secrets set {_context.Project} NAME, list it under secrets:, and read it from the environment{(names.Count > 0 ? $" ({string.Join(", ", names)})" : "")}");
        }

        if (Get("profiles") is { } profiles)
        {
            Change("profiles", profiles, "the service is imported whatever its profiles: paas.yaml has none, so every service deploys; remove the ones an environment should not run");
        }
    }

    private void Namespace(string key, string? same, string reason)
    {
        if (Get(key) is not { } node || Text(key, node) is not { } mode)
        {
            return;
        }

        if (mode == "host")
        {
            Drop(key, node, $"{ComposeKeys.HostNamespace}; {reason}");
        }
        else if (mode != same)
        {
            Drop(key, node, reason);
        }
    }

    private List<string> Capabilities(string key, YNode node) =>
        (node is YSequence list ? list.Items : [node]).Select(i => Text(key, i)).OfType<string>()
            .Select(c => c.ToUpperInvariant().Replace("CAP_", "", StringComparison.Ordinal)).ToList();

    [GeneratedRegex("^no-new-privileges(:true|=true)?$")]
    private static partial Regex NoNewPrivileges();

    [GeneratedRegex("^([0-9]{1,9}(:[0-9]{1,9})?|[a-z_][a-z0-9_-]{0,31}(:[a-z_][a-z0-9_-]{0,31})?)$")]
    private static partial Regex UserGrammar();
}
