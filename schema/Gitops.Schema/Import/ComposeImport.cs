using Gitops.Schema.Diagnostics;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;
using Gitops.Schema.Validation;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>
/// A Compose file → paas.yaml text and the notes on what it could not carry over. Pure: text in,
/// text out (env files are read through <see cref="ComposeImportOptions.ReadFile"/>). The result is
/// checked with the same loader <c>paas validate</c> uses; a result that would not validate is an error.
/// </summary>
public static class ComposeImport
{
    public const string Environment = "production";

    public static ComposeImportResult Import(string text, string file, ComposeImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        var (root, yamlErrors) = SafeYamlReader.Read(text, file);
        if (root is null)
        {
            return ComposeImportResult.Failed(yamlErrors.Select(ForCompose).ToList());
        }

        if (root is not YMapping top)
        {
            return Failed(file, root, "a compose file is a mapping with services: at its top");
        }

        if (top["services"] is not YMapping services || services.Entries.Count == 0)
        {
            return Failed(file, top["services"] ?? top, "the compose file lists no services (services: NAME: { image: … })");
        }

        var context = new ImportContext(file, options);
        if (Project(top, context, options) is not { } project)
        {
            return Failed(file, top, $"project name '{options.Project}' must be lower-case letters, digits and '-', start with a letter, at most 63 characters");
        }

        context.Project = project;
        TopLevel(top, context);
        Extensions(top, context);
        DotEnvFile(text, context);
        var names = ServiceNames(services, context);
        var imported = new List<ImportedService>();
        foreach (var entry in services.Entries)
        {
            if (ComposeServiceImport.Import(context, entry.Key.Value, names[entry.Key.Value], entry.Value) is { } service)
            {
                imported.Add(service);
            }
        }

        if (imported.Count == 0)
        {
            return Failed(file, services, "no service could be carried over (each needs an image or a build paas can use):\n" + string.Join("\n", context.Notes));
        }

        ResolveDependencies(imported, names, context);
        ResolveVolumes(imported, top["volumes"] as YMapping, context);
        foreach (var service in imported)
        {
            // Compose replaces a container stop-first; with data, two copies must never run at once.
            service.Strategy = service.Strategy ?? (service.ResolvedVolumes.Count > 0 ? DeployStrategy.Recreate : null);
            service.Strategy = service.Strategy == DeployStrategy.Rolling ? null : service.Strategy;
            service.Notes.AddRange(context.Notes.Where(n => n.Service == service.ComposeName));
        }

        var manifest = ManifestWriter.Write(project, Environment, Header(file, project, top, options, context), imported);
        var loaded = ManifestLoader.LoadText(manifest, options.ManifestFile);
        return new ComposeImportResult(loaded.IsValid ? manifest : null, project, imported.Select(s => s.Name).ToList(), context.Notes, loaded.Errors)
        {
            Secrets = imported.SelectMany(s => s.Secrets.Select(secret => (s.Name, secret))).ToList(),
        };
    }

    /// <summary>--project as given; else Compose's name:, else the fallback, made into a DNS label.</summary>
    private static string? Project(YMapping top, ImportContext context, ComposeImportOptions options)
    {
        if (options.Project is { } asked)
        {
            return Grammar.Name().IsMatch(asked) ? asked : null;
        }

        if (top["name"] is { } node && context.Text(node, "", "name") is { Length: > 0 } name)
        {
            if (ComposeNames.Normalize(name, "p") is { } normalized)
            {
                if (normalized != name)
                {
                    context.Change("", "name", node, $"the project is {normalized}: paas.yaml's project names are DNS labels");
                }

                return normalized;
            }

            context.Drop("", "name", node, "nothing of it makes a project name; the directory's name is used");
        }

        return ComposeNames.Normalize(options.FallbackProject, "p") ?? "app";
    }

    private static void TopLevel(YMapping top, ImportContext context)
    {
        foreach (var (key, value) in top.Entries.Select(e => (e.Key.Value, e.Value)))
        {
            switch (key)
            {
                case "services" or "name" or "volumes":
                    break;
                case "version":
                    context.Drop("", "version", value, "the Compose specification made it obsolete (Compose ignores it too); paas.yaml has its own version: 1");
                    break;
                case "networks":
                    context.Drop("", "networks", value, $"{ComposeKeys.SharedNetwork}; a network marked internal has no equivalent: the project's network has a route out");
                    break;
                case "secrets":
                    context.Drop("", "secrets", value, $"Compose's secrets are files on this machine; paas keeps secrets in its encrypted store: paas secrets set {context.Project} NAME (value on stdin), then list NAME under a service's secrets:");
                    break;
                case "configs":
                    context.Drop("", "configs", value, "Compose's configs are files mounted into containers: put them in the image (COPY in a Dockerfile), or give the values as env");
                    break;
                case "include":
                    context.Drop("", "include", value, "paas import reads one file: import the included ones and merge their services by hand");
                    break;
                case var extension when extension.StartsWith("x-", StringComparison.Ordinal):
                    break; // noted once for all below
                default:
                    context.Drop("", key, value, $"'{key}' is not a top-level key of the Compose specification");
                    break;
            }
        }
    }

    /// <summary>
    /// Compose substitutes .env's values into the file; paas import does not (see <see cref="ComposeInterpolation"/>),
    /// so a .env beside the file is named, with the variables of it the file uses.
    /// </summary>
    private static void DotEnvFile(string text, ImportContext context)
    {
        if (context.Options.ReadFile(".env") is not { } content)
        {
            return;
        }

        var interpolated = ComposeInterpolation.Apply(text);
        var used = interpolated.Unset.Concat(interpolated.Defaulted.Select(d => d[2..].Split(':', '-', '?', '+', '}')[0])).ToHashSet(StringComparer.Ordinal);
        var names = DotEnv.Names(content).Where(used.Contains).ToList();
        if (names.Count > 0)
        {
            context.Note(ComposeNoteKind.NotCarried, "", ".env", new YScalar(".env", true, 1, 1),
                $"Compose substitutes its values for {string.Join(", ", names)} in this file; paas import reads none (their values may be credentials, and paas.yaml is kept in Git): defaults were written, values without one became secrets or are noted above; put the values you mean in paas.yaml, or store them with paas secrets set {context.Project} NAME");
        }
    }

    private static void Extensions(YMapping top, ImportContext context)
    {
        var extensions = top.Entries.Where(e => e.Key.Value.StartsWith("x-", StringComparison.Ordinal)).ToList();
        if (extensions.Count > 0)
        {
            context.Note(ComposeNoteKind.NotCarried, "", string.Join(", ", extensions.Select(e => e.Key.Value)), extensions[0].Key,
                $"extension field{(extensions.Count == 1 ? "" : "s")}: Compose ignores them too, except through the anchors they define, which were followed where they are used");
        }
    }

    /// <summary>Compose service name → paas name (a DNS label, unique); renames are noted.</summary>
    private static Dictionary<string, string> ServiceNames(YMapping services, ImportContext context)
    {
        // Names that are DNS labels already keep them; the others take what is left.
        var names = services.Entries.Select(e => e.Key.Value).Where(n => Grammar.Name().IsMatch(n)).ToDictionary(n => n, n => n, StringComparer.Ordinal);
        foreach (var entry in services.Entries.Where(e => !names.ContainsKey(e.Key.Value)))
        {
            var composeName = entry.Key.Value;
            var name = ComposeNames.Unique(ComposeNames.Normalize(composeName, "s") ?? "service", names.Values);
            names[composeName] = name;
            if (name != composeName)
            {
                context.Note(ComposeNoteKind.Changed, composeName, "services", entry.Key,
                    $"renamed {name}: paas.yaml's service names are DNS labels; the project's other services now reach it as {name}, so values that name {composeName} (hosts, URLs) need the new name", composeName);
            }
        }

        return names;
    }

    private static void ResolveDependencies(List<ImportedService> imported, Dictionary<string, string> names, ImportContext context)
    {
        var carried = imported.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var service in imported)
        {
            foreach (var (dependency, at) in service.DependsOn)
            {
                if (!names.TryGetValue(dependency, out var name))
                {
                    context.Drop(service.ComposeName, "depends_on", at, $"{dependency} is not a service of this compose file");
                }
                else if (!carried.Contains(name))
                {
                    context.Drop(service.ComposeName, "depends_on", at, $"{dependency} is left out (see its notes), so nothing waits for it");
                }
                else if (name == service.Name)
                {
                    context.Drop(service.ComposeName, "depends_on", at, "a service cannot wait for itself");
                }
                else if (!service.ResolvedDependsOn.Contains(name))
                {
                    service.ResolvedDependsOn.Add(name);
                }
            }
        }
    }

    /// <summary>
    /// Compose volume names → paas volume names, shared across services as in Compose; the top-level
    /// declarations' options (external, driver, …) are noted.
    /// </summary>
    private static void ResolveVolumes(List<ImportedService> imported, YMapping? declared, ImportContext context)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        string Name(string volume, string service)
        {
            if (names.TryGetValue(volume, out var name))
            {
                return name;
            }

            var anonymous = volume.StartsWith(ComposeServiceImport.AnonymousVolume, StringComparison.Ordinal);
            var wanted = anonymous
                ? ComposeNames.Normalize($"{service}-{volume[ComposeServiceImport.AnonymousVolume.Length..].Split('/')[^1]}", "v")
                : ComposeNames.Normalize(volume, "v");
            name = ComposeNames.Unique(wanted ?? "data", names.Values);
            names[volume] = name;
            if (!anonymous && name != volume)
            {
                context.Note(ComposeNoteKind.Changed, "", $"volumes.{volume}", (YNode?)declared?.Entries.FirstOrDefault(e => e.Key.Value == volume)?.Key ?? (YNode?)declared ?? new YScalar(volume, true, 1, 1),
                    $"named {name}: paas.yaml's volume names are DNS labels");
            }

            return name;
        }

        foreach (var service in imported)
        {
            foreach (var (volume, path) in service.Volumes)
            {
                var name = Name(volume, service.Name);
                if (service.ResolvedVolumes.Any(v => v.Path == path))
                {
                    continue;
                }

                service.ResolvedVolumes.Add((name, path));
            }
        }

        foreach (var entry in declared?.Entries ?? [])
        {
            var volume = entry.Key.Value;
            if (!names.ContainsKey(volume))
            {
                context.Drop("", $"volumes.{volume}", entry.Key, "no service that was carried over mounts it");
                continue;
            }

            foreach (var option in (entry.Value as YMapping)?.Entries ?? [])
            {
                var key = $"volumes.{volume}.{option.Key.Value}";
                switch (option.Key.Value)
                {
                    case "external" when option.Value is YScalar flag && ComposeUnits.Boolean(flag.Value) == false:
                        break;
                    case "external":
                    case "name":
                        context.Change("", key, option.Value, $"paas makes its own volume for it (paas-{context.Project}-<env>-{names[volume]}), empty at first, where Compose used an existing one: copy the data into it before the first deploy");
                        break;
                    case "driver" when option.Value is YScalar { Value: "local" }:
                        break;
                    case "driver_opts":
                        context.Drop("", key, option.Value, "paas makes plain local volumes on the engine: no bind, NFS or device options (a driver option pointing at a host path would be a host mount)");
                        break;
                    default:
                        context.Drop("", key, option.Value, "paas makes plain local volumes on the engine, with its own labels");
                        break;
                }
            }
        }
    }

    private static List<string> Header(string file, string project, YMapping top, ComposeImportOptions options, ImportContext context)
    {
        var composeFile = Path.GetFileName(file);
        var header = new List<string>
        {
            $"Imported from {composeFile} by paas import. Check it, then: paas validate, and paas apply . --env {Environment}",
            $"project: {project} ({(options.Project is not null ? "--project" : top["name"] is not null ? "Compose's name:" : "the directory's name")}); environments: Compose has none, so {Environment} deploys branch main to the local engine.",
            "Services with volumes roll out stop-first (deploy: { strategy: recreate }), as Compose replaces containers, so two copies never open the same data.",
            "Services without resources.memory get the platform's default limit (256Mi), where Compose sets none; raise it for heavy ones.",
            "A value Compose would read from the shell or .env is a secret here (its value in the platform's encrypted store, not in Git): paas secrets set PROJECT NAME.",
            "Comments marked 'not carried' say what Compose said that this file does not hold, and why; 'changed', what it holds differently (paas import printed the same list).",
        };
        header.AddRange(context.Notes.Where(n => n.Service.Length == 0).Select(n => $"{(n.Kind == ComposeNoteKind.NotCarried ? "not carried" : "changed")}: {n.Key}{(n.Value is null ? "" : $": {n.Value}")}: {n.Reason}"));
        header.Add("");
        return header;
    }

    private static ComposeImportResult Failed(string file, YNode at, string message) =>
        ComposeImportResult.Failed([new Diagnostic(ErrorCodes.YamlSyntax, message, new SourceLocation(file, at.Line, at.Column))]);

    /// <summary>The YAML reader speaks of manifests; this file is a Compose file.</summary>
    private static Diagnostic ForCompose(Diagnostic error) => error.Code switch
    {
        ErrorCodes.YamlEmpty => error with { Message = "the compose file is empty; it needs services:" },
        ErrorCodes.YamlTag => error with { Message = $"{error.Message.Split(';')[0]}; paas import reads plain YAML (Compose's !reset and !override are not supported): remove the tag" },
        ErrorCodes.YamlMultipleDocuments => error with { Message = "a compose file is one YAML document; remove the second '---' document" },
        _ => error,
    };
}
