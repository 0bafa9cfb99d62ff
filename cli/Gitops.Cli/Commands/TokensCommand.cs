using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Access;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("tokens", HelpText = "Your API tokens on the server: create [--name N] [--role R] [--days D] (shown once), list, revoke ID.")]
public sealed class TokensOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "create, list or revoke.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "ID", HelpText = "The token to revoke.")]
    public string? Id { get; set; }

    [Option("name", Default = "cli", HelpText = "What the token is for (create).")]
    public string Name { get; set; } = "cli";

    [Option("role", HelpText = "The most the token may do, at most your own role (create): viewer, deployer, admin, owner.")]
    public Role? Role { get; set; }

    [Option("days", Default = 30, HelpText = "Days until it expires (create; 1 to 365).")]
    public int Days { get; set; } = 30;

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class TokensCommand
{

    private sealed record RevokeAnswer(bool Revoked);

    public static int Run(TokensOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation)
            ?? throw new CliException(ExitCodes.Usage, "tokens live on a server: paas login --server URL first");
        switch (options.Action)
        {
            case "create":
                var created = server.Post<TokenCreatedDocument>("api/v1/tokens", new { name = options.Name, cap = options.Role, days = options.Days });
                if (options.Output == OutputFormat.Json)
                {
                    Json.Write(console, created);
                }
                else
                {
                    console.Raw.WriteLine(created.Token);
                    console.Human.MarkupLine($"[grey]token {created.Id}, at most {created.Cap.ToString().ToLowerInvariant()}, expires {created.Expires:u}; shown once: keep it[/]");
                }

                return ExitCodes.Ok;
            case "list":
                var tokens = server.Get<List<ApiToken>>("api/v1/tokens");
                if (options.Output == OutputFormat.Json)
                {
                    Json.Write<IReadOnlyList<ApiToken>>(console, tokens);
                    return ExitCodes.Ok;
                }

                var table = new Table().AddColumns("id", "user", "name", "role cap", "expires", "state");
                foreach (var t in tokens)
                {
                    table.AddRow(t.Id, t.User, Markup.Escape(t.Name), t.Cap.ToString().ToLowerInvariant(), t.Expires.ToString("u", System.Globalization.CultureInfo.InvariantCulture), t.Revoked ? "revoked" : t.Expires < DateTimeOffset.UtcNow ? "expired" : "active");
                }

                console.Human.Write(table);
                return ExitCodes.Ok;
            case "revoke":
                var id = options.Id ?? throw new CliException(ExitCodes.Usage, "paas tokens revoke ID");
                var revoked = server.Delete<RevokeAnswer>($"api/v1/tokens/{Uri.EscapeDataString(id)}").Revoked;
                console.Human.MarkupLine(revoked ? $"revoked {id}" : $"{id} was already revoked");
                return ExitCodes.Ok;
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use create, list or revoke");
        }
    }
}

[Description("paas tokens create: the new API token, shown this once (the server keeps only its hash), its id, its role and when it expires.")]
public sealed record TokenCreatedDocument(string Token, string Id, Role Cap, DateTimeOffset Expires);
