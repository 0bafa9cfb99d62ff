using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.Targets;
using Gitops.Schema.Validation;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("users", HelpText = "People: add NAME (password on stdin) [--role R --scope S], list, rm NAME, grant NAME --role R --scope org:O|project:P|env:P/E.")]
public sealed class UsersOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "add, list, rm or grant.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "NAME", HelpText = "The user.")]
    public string? Name { get; set; }

    [Option("role", HelpText = "viewer, deployer, admin or owner.")]
    public Role? Role { get; set; }

    [Option("scope", HelpText = "Where the role applies: org:NAME, project:NAME or env:PROJECT/ENV.")]
    public string? Scope { get; set; }

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class UsersCommand
{
    private sealed record Answer(string? User, string? Removed);

    public static int Run(UsersOptions options, CliConsole console, TextReader input)
    {
        console = console.For(options.Output);
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        switch (options.Action)
        {
            case "list":
                var users = server is not null ? server.Get<List<User>>("api/v1/users") : Local(options, (people, _) => people.Users());
                if (options.Output == OutputFormat.Json)
                {
                    Json.Write<IReadOnlyList<User>>(console, users);
                    return ExitCodes.Ok;
                }

                var table = new Table().AddColumns("user", "created", "roles");
                foreach (var u in users)
                {
                    table.AddRow(u.Name, u.Created.ToString("u", System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", u.Grants.Select(g => $"{g.Role.ToString().ToLowerInvariant()} on {g.Scope}"))));
                }

                console.Human.Write(table);
                return ExitCodes.Ok;
            case "add":
                var name = RequireName(options);
                var password = SecretsCommand.ReadValue(console, input, $"the password of {name}");
                if (password.Length < 12)
                {
                    throw new CliException(ExitCodes.InvalidInput, "a password needs 12 characters or more");
                }

                if (server is not null)
                {
                    server.Post<Answer>("api/v1/users", new { name, password });
                }
                else
                {
                    Local(options, (people, audit) => { people.AddUser(name, password); return Audited(audit, "users add", name); });
                }

                console.Human.MarkupLine($"added user [bold]{name}[/]");
                return options.Role is null ? ExitCodes.Ok : Grant(options, server, console);
            case "grant":
                return Grant(options, server, console);
            case "rm":
                var removed = server is not null
                    ? server.Delete<Answer>($"api/v1/users/{Uri.EscapeDataString(RequireName(options))}").Removed is not null
                    : Local(options, (people, audit) => people.RemoveUser(RequireName(options)) && Audited(audit, "users rm", RequireName(options)));
                console.Human.MarkupLine(removed ? "removed (their tokens stop working: tokens act only for existing users)" : "no such user");
                return removed ? ExitCodes.Ok : ExitCodes.InvalidInput;
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use add, list, rm or grant");
        }
    }

    private static int Grant(UsersOptions options, ServerClient? server, CliConsole console)
    {
        var name = RequireName(options);
        if (options.Role is not { } role || options.Scope is not { } text)
        {
            throw new CliException(ExitCodes.Usage, "give --role viewer|deployer|admin|owner and --scope org:NAME|project:NAME|env:PROJECT/ENV");
        }

        Scope scope;
        try
        {
            scope = Scope.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }

        if (server is not null)
        {
            server.Post<Answer>($"api/v1/users/{Uri.EscapeDataString(name)}/grants", new { role, scope = scope.ToString() });
        }
        else
        {
            Local(options, (people, audit) =>
            {
                if (!people.Exists(name))
                {
                    throw new CliException(ExitCodes.InvalidInput, $"no user {name}");
                }

                people.GrantRole(new Grant(name, role, scope));
                return Audited(audit, "users grant", $"{name} {role.ToString().ToLowerInvariant()} on {scope}");
            });
        }

        console.Human.MarkupLine($"{name} is {role.ToString().ToLowerInvariant()} on {scope}");
        return ExitCodes.Ok;
    }

    private static string RequireName(UsersOptions options) =>
        options.Name is { } name && Grammar.Name().IsMatch(name) ? name : throw new CliException(ExitCodes.Usage, "give the user's NAME (lower-case letters, digits and '-')");

    private static T Local<T>(UsersOptions options, Func<People, AuditLog, T> work)
    {
        using var state = SecretsCommand.OpenState(DataDirectory.Resolve(options.DataDir));
        try
        {
            return work(new People(state), new AuditLog(state));
        }
        catch (UserExistsException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
    }

    /// <summary>Local changes are audited like the server's: the machine user is the actor.</summary>
    private static bool Audited(AuditLog audit, string action, string target)
    {
        audit.Append($"cli:{Environment.UserName}", action, target, "ok");
        return true;
    }
}
