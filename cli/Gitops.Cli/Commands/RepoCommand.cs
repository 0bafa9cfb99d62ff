using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Forges;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Validation;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("repo", HelpText = "Watched repositories: add URL --project NAME [--credential-stdin [--username U]] (an https token from stdin or a prompt, never in the URL) or [--ssh-key-stdin [--known-hosts FILE]] (an ssh:// repository's deploy key), list, rm PROJECT, webhook PROJECT (secret on stdin), forge PROJECT --kind K --api URL --repo OWNER/NAME (token on stdin).")]
public sealed class RepoOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "add, list, rm, webhook or forge.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "URL|PROJECT", HelpText = "The repository URL (add) or the project (rm).")]
    public string? Argument { get; set; }

    [Option("project", HelpText = "The project the repository deploys (add).")]
    public string? Project { get; set; }

    [Option("org", HelpText = "The organization that owns the project (add). Default: default.")]
    public string? Organization { get; set; }

    [Option("credential-stdin", HelpText = "Read the https token for the repository from standard input, or a prompt (add). It is stored encrypted and never shown; URLs with credentials in them are refused.")]
    public bool CredentialStdin { get; set; }

    [Option("ssh-key-stdin", HelpText = "Read the ssh:// repository's deploy key (an OpenSSH private key without a passphrase) from standard input (add). Stored encrypted, used for this repository alone, never shown.")]
    public bool SshKeyStdin { get; set; }

    [Option("known-hosts", HelpText = "A file of the Git host's keys, as ssh-keyscan prints them (add, with --ssh-key-stdin). Without it the host's key is trusted on the first fetch and pinned from then on.")]
    public string? KnownHosts { get; set; }

    [Option("username", HelpText = "The user name that goes with the token (add). Default: x-access-token (GitHub, GitLab and Gitea accept any).")]
    public string? Username { get; set; }

    [Option("kind", HelpText = "The forge (forge): github, gitlab or gitea.")]
    public ForgeKind? Kind { get; set; }

    [Option("api", HelpText = "The forge's API root (forge), e.g. https://api.github.com, https://gitea.example/api/v1, https://gitlab.example/api/v4.")]
    public string? Api { get; set; }

    [Option("repo", HelpText = "The repository on the forge (forge): owner/name.")]
    public string? Repository { get; set; }

    [Option("server", HelpText = "Ask this paas server (add, list, rm; default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class RepoCommand
{
    private sealed record RemoveAnswer(bool Removed);

    public static int Run(RepoOptions options, CliConsole console, TextReader input)
    {
        console = console.For(options.Output);
        if (options.Action is "add" or "list" or "rm")
        {
            using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
            if (server is not null)
            {
                return Remote(server, options, console, input);
            }
        }

        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var registry = new RepositoryRegistry(state);
        switch (options.Action)
        {
            case "add":
                var url = options.Argument ?? throw new CliException(ExitCodes.Usage, "paas repo add URL --project NAME");
                var project = options.Project is { } p && Grammar.Name().IsMatch(p) ? p : throw new CliException(ExitCodes.Usage, "give --project NAME (lower-case letters, digits and '-')");
                try
                {
                    GitSource.CheckUrl(url, PlatformConfig.Load(dataDirectory).AllowFileUrls);
                }
                catch (RepositoryUrlException e)
                {
                    throw new CliException(ExitCodes.InvalidInput, e.Message);
                }

                var credential = Credential(options, console, input, url);
                CliAudit.Record(state, "repo add", $"{project} {url}", credential switch { GitCredential => "ok (with a stored token)", SshKeyCredential => "ok (with a stored deploy key)", _ => "ok" });
                registry.Add(project, url, credential);
                if (options.Organization is { } organization)
                {
                    new Gitops.Engine.Access.People(state).PlaceProject(project, Grammar.Name().IsMatch(organization) ? organization : throw new CliException(ExitCodes.Usage, "--org: lower-case letters, digits and '-'"));
                }
                console.Human.MarkupLine($"watching [bold]{Markup.Escape(url)}[/] for project [bold]{project}[/]; run paas sync (or paas server) to deploy its branches");
                return ExitCodes.Ok;
            case "list":
                return List(registry.List(), options, console);

            case "rm":
                var removing = options.Argument ?? throw new CliException(ExitCodes.Usage, "paas repo rm PROJECT");
                CliAudit.Record(state, "repo rm", removing);
                return Removed(console, registry.Remove(removing));
            case "forge":
                return SetForge(state, registry, options, console, input);
            case "webhook":
                var target = options.Argument ?? throw new CliException(ExitCodes.Usage, "paas repo webhook PROJECT < secret-file");
                var secret = input.ReadToEnd().Trim();
                if (secret.Length < 16)
                {
                    throw new CliException(ExitCodes.InvalidInput, "give the webhook secret (16 characters or more) on standard input, never as an argument");
                }

                new Gitops.Server.Webhooks(new Gitops.Engine.Secrets.SecretStore(state), new Gitops.Server.WebhookDeliveries(state)).SetSecret(target, secret);
                console.Human.MarkupLine($"webhook enabled for {target}: POST /hooks/{target} with the forge's signature (GitHub, Gitea) or token (GitLab)");
                return ExitCodes.Ok;
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use add, list, rm or webhook");
        }
    }

    /// <summary>add, list and rm through the server, which owns the state while it runs.</summary>
    private static int Remote(ServerClient server, RepoOptions options, CliConsole console, TextReader input)
    {
        switch (options.Action)
        {
            case "add":
                var url = options.Argument ?? throw new CliException(ExitCodes.Usage, "paas repo add URL --project NAME");
                var project = options.Project ?? throw new CliException(ExitCodes.Usage, "give --project NAME (lower-case letters, digits and '-')");
                try
                {
                    GitSource.CheckUrl(url, allowFileUrls: true); // the server checks the scheme again; credentials never leave this machine in a URL
                }
                catch (RepositoryUrlException e)
                {
                    throw new CliException(ExitCodes.InvalidInput, e.Message);
                }

                var credential = Credential(options, console, input, url);
                var token = credential as GitCredential;
                var key = credential as SshKeyCredential;
                server.Post<object>("api/v1/repositories", new { url, project, organization = options.Organization, credential = token?.Token, username = token?.Username, sshKey = key?.PrivateKey, knownHosts = key?.KnownHosts });
                console.Human.MarkupLine($"{Markup.Escape(server.Server)} watches [bold]{Markup.Escape(url)}[/] for project [bold]{Markup.Escape(project)}[/] and deploys its branches now");
                return ExitCodes.Ok;
            case "list":
                return List(server.Get<List<WatchedRepository>>("api/v1/repositories"), options, console);
            default:
                var removing = options.Argument ?? throw new CliException(ExitCodes.Usage, "paas repo rm PROJECT");
                return Removed(console, server.Delete<RemoveAnswer>($"api/v1/repositories/{Uri.EscapeDataString(removing)}").Removed);
        }
    }

    /// <summary>The https token (--credential-stdin) or the ssh deploy key (--ssh-key-stdin) from standard input; never from an argument.</summary>
    private static RepositoryCredential? Credential(RepoOptions options, CliConsole console, TextReader input, string url)
    {
        var ssh = url.StartsWith("ssh://", StringComparison.Ordinal);
        if (options.CredentialStdin && options.SshKeyStdin)
        {
            throw new CliException(ExitCodes.Usage, "give either --credential-stdin (an https token) or --ssh-key-stdin (an ssh deploy key)");
        }

        if (options.SshKeyStdin)
        {
            return SshKey(options, console, input, ssh);
        }

        if (options.KnownHosts is not null)
        {
            throw new CliException(ExitCodes.Usage, "--known-hosts goes with --ssh-key-stdin (the deploy key on standard input)");
        }

        if (ssh)
        {
            throw new CliException(ExitCodes.InvalidInput, "an ssh:// repository needs a deploy key of its own: --ssh-key-stdin < deploy-key (the platform never lends a project the machine's SSH keys)");
        }

        if (!options.CredentialStdin)
        {
            return options.Username is null ? null : throw new CliException(ExitCodes.Usage, "--username goes with --credential-stdin (the token on standard input)");
        }

        if (!url.StartsWith("https://", StringComparison.Ordinal))
        {
            throw new CliException(ExitCodes.InvalidInput, "--credential-stdin: a token is for an https:// URL (an ssh:// one takes --ssh-key-stdin)");
        }

        if (options.Username is { } user && (user.Length == 0 || user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsControl)))
        {
            throw new CliException(ExitCodes.InvalidInput, "--username: not empty, no ':' or control characters");
        }

        var token = SecretsCommand.ReadValue(console, input, "the repository token").Trim();
        return new GitCredential(options.Username ?? GitCredential.DefaultUsername, token);
    }

    private static SshKeyCredential SshKey(RepoOptions options, CliConsole console, TextReader input, bool ssh)
    {
        if (!ssh)
        {
            throw new CliException(ExitCodes.InvalidInput, "--ssh-key-stdin: a deploy key is for an ssh:// URL (an https:// one takes --credential-stdin)");
        }

        if (options.Username is not null)
        {
            throw new CliException(ExitCodes.Usage, "--username goes with --credential-stdin; an ssh:// URL names its user: ssh://git@host/path");
        }

        string? knownHosts = null;
        if (options.KnownHosts is { } file)
        {
            knownHosts = File.Exists(file) ? File.ReadAllText(file) : throw new CliException(ExitCodes.InvalidInput, $"--known-hosts: no file '{file}'");
        }

        if (!Console.IsInputRedirected && input == Console.In)
        {
            throw new CliException(ExitCodes.Usage, "--ssh-key-stdin: pipe the key on standard input: paas repo add URL --project NAME --ssh-key-stdin < deploy-key");
        }

        try
        {
            return SshKeyCredential.Parse(SecretsCommand.ReadValue(console, input, "the deploy key"), knownHosts);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.InvalidInput, $"--ssh-key-stdin: {e.Message}");
        }
    }

    private static int List(IReadOnlyList<WatchedRepository> repositories, RepoOptions options, CliConsole console)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, repositories);
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("project", "url", "last fetch", "error");
        foreach (var r in repositories)
        {
            table.AddRow(r.Project, Markup.Escape(r.Url), r.FetchedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "never", Markup.Escape(r.Error ?? ""));
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }

    private static int Removed(CliConsole console, bool removed)
    {
        console.Human.MarkupLine(removed ? "no longer watched (what it deployed keeps running; paas destroy removes it)" : "no such repository");
        return removed ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }

    private static int SetForge(StateStore state, RepositoryRegistry registry, RepoOptions options, CliConsole console, TextReader input)
    {
        const string Usage = "paas repo forge PROJECT --kind github|gitlab|gitea --api URL --repo OWNER/NAME < token-file";
        var project = options.Argument ?? throw new CliException(ExitCodes.Usage, Usage);
        if (registry.List().All(r => r.Project != project))
        {
            throw new CliException(ExitCodes.InvalidInput, $"no watched repository for project '{project}' (paas repo add)");
        }

        if (options.Kind is not { } kind || options.Api is not { } api || options.Repository is not { } repository)
        {
            throw new CliException(ExitCodes.Usage, Usage);
        }

        if (ForgeConfig.Problem(api, repository) is { } problem)
        {
            throw new CliException(ExitCodes.InvalidInput, problem);
        }

        var token = input.ReadToEnd().Trim();
        if (token.Length == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, "give the forge token on standard input, never as an argument");
        }

        new Forges(state).Set(project, new ForgeConfig(kind, api, repository), token);
        console.Human.MarkupLine($"paas promote opens pull requests for [bold]{project}[/] on {kind} ({Markup.Escape(repository)}); the token is stored encrypted");
        return ExitCodes.Ok;
    }
}
