using CommandLine;
using Gitops.Cli.Remote;
using Gitops.Engine.Sources;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("login", HelpText = "Use a paas server from this CLI: status, history, logs and env then ask it. The token is read from stdin or a prompt.")]
public sealed class LoginOptions : CommonOptions
{
    [Option("server", Required = true, HelpText = "The server's address, e.g. http://127.0.0.1:8787.")]
    public string Server { get; set; } = "";

    [Option("data-dir", HelpText = "Where the login is saved (login.json, owner-only). Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

[Verb("logout", HelpText = "Forget the saved server and token; commands work on the local data directory again.")]
public sealed class LogoutOptions : CommonOptions
{
    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class LoginCommand
{
    public static int Run(LoginOptions options, CliConsole console, TextReader input)
    {
        console = console.For(options.Output);
        if (!Uri.TryCreate(options.Server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.InvalidInput, $"--server: '{options.Server}' is not an http(s) address");
        }

        var token = SecretsCommand.ReadValue(console, input, "the token");
        using var client = new ServerClient(options.Server, token, console.Cancellation);
        var repositories = client.Get<List<WatchedRepository>>("api/v1/repositories"); // proves address and token before saving them
        new Login(client.Server, token).Save(DataDirectory.Resolve(options.DataDir));
        console.Human.MarkupLine($"logged in to {client.Server} ({repositories.Count} watched repositories); status, history, logs and env now ask it");
        return ExitCodes.Ok;
    }

    public static int Logout(LogoutOptions options, CliConsole console)
    {
        var removed = Login.Remove(DataDirectory.Resolve(options.DataDir));
        console.For(options.Output).Human.MarkupLine(removed ? "logged out; commands work on the local data directory" : "not logged in");
        return ExitCodes.Ok;
    }
}
