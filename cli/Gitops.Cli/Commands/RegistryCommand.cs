using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Images;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("registry", HelpText = "Image registry logins: login HOST (password from stdin or a prompt, never an argument), list, logout HOST. With --project, the project's own login for its image: pulls; without, the platform's, for the registry in platform.yaml.")]
public sealed class RegistryOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "login, list or logout.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "HOST", HelpText = "The registry's host[:port], as image names start (docker.io for Docker Hub).")]
    public string? Host { get; set; }

    [Option('u', "username", HelpText = "The user to log in as (login).")]
    public string? Username { get; set; }

    [Option('p', "project", HelpText = "Whose login: this project's pulls only. Default: the platform's, used for its own registry (registry: in platform.yaml).")]
    public string? Project { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>
/// Keeps one login per registry and owner in the encrypted store: a project's serves only that
/// project's pulls, the platform's its push registry. Run it where the platform's data directory is
/// (a running server holds the store: stop it, or run this before starting it).
/// </summary>
public static class RegistryCommand
{
    public static int Run(RegistryOptions options, CliConsole console, TextReader input)
    {
        console = console.For(options.Output);
        if (options.Project is { } named && !Gitops.Schema.Validation.Grammar.Name().IsMatch(named))
        {
            throw new CliException(ExitCodes.InvalidInput, $"'{named}' is not a project name (lower-case letters, digits and '-')");
        }

        var owner = options.Project is null ? "the platform" : $"project {options.Project}";
        using var state = SecretsCommand.OpenState(DataDirectory.Resolve(options.DataDir));
        var logins = new RegistryLogins(state);
        switch (options.Action)
        {
            case "list":
                var saved = logins.List().Where(l => options.Project is null || l.Project == options.Project)
                    .ToList();
                if (options.Output == OutputFormat.Json)
                {
                    Json.Write<IReadOnlyList<RegistryLoginInfo>>(console, saved);
                    return ExitCodes.Ok;
                }

                var table = new Table().AddColumns("registry", "whose", "saved");
                foreach (var login in saved)
                {
                    table.AddRow(Markup.Escape(login.Host), login.Project ?? "(platform)", login.SavedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
                }

                console.Human.Write(table);
                return ExitCodes.Ok;
            case "login":
                var host = RequireHost(options);
                var user = options.Username is { Length: > 0 } u && !u.Contains('\n', StringComparison.Ordinal)
                    ? u
                    : throw new CliException(ExitCodes.Usage, "say who logs in with --username");
                var password = SecretsCommand.ReadValue(console, input, $"{user}'s password at {host}");
                logins.Save(new RegistryLogin(host, user, password), options.Project);
                CliAudit.Record(state, "registry login", $"{user}@{host} for {owner}"); // never the password
                console.Human.MarkupLine(Markup.Escape($"saved the login of {user} at {host} for {owner}; its next pull or push there uses it"));
                return ExitCodes.Ok;
            case "logout":
                var gone = RequireHost(options);
                var removed = logins.Remove(gone, options.Project);
                CliAudit.Record(state, "registry logout", $"{gone} for {owner}", removed ? "ok" : "none");
                console.Human.MarkupLine(Markup.Escape(removed ? $"removed the login at {gone} for {owner}" : $"no login at {gone} for {owner}"));
                return removed ? ExitCodes.Ok : ExitCodes.InvalidInput;
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use login, list or logout");
        }
    }

    private static string RequireHost(RegistryOptions options)
    {
        var host = options.Host is { Length: > 0 } given ? RegistryLogins.Host(given) : throw new CliException(ExitCodes.Usage, "give the registry's HOST, e.g. paas registry login registry.example.com");
        return System.Text.RegularExpressions.Regex.IsMatch(host, @"^[a-z0-9.-]+(:[0-9]{1,5})?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)
            ? host
            : throw new CliException(ExitCodes.InvalidInput, $"'{options.Host}' is not a registry host (host or host:port, e.g. registry.example.com:5000)");
    }
}

