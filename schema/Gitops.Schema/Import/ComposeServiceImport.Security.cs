using System.Text.RegularExpressions;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>user, and the keys the container policy decides (capabilities, security options, namespaces, secrets, profiles).</summary>
internal sealed partial class ComposeServiceImport
{
    /// <summary>Capabilities a Docker or Podman replica keeps after paas drops all the others (ContainerPolicy).</summary>
    private static readonly string[] KeptCapabilities = ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE", "KILL"];

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
