using CommandLine;
using System.Net.Http.Json;
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

    [Option("user", HelpText = "Sign in as this user (password on stdin or a prompt); the CLI keeps an API token made for it. Without it, stdin gives a token.")]
    public string? User { get; set; }

    [Option("data-dir", HelpText = "Where the login is saved (login.json, owner-only). Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }

    [Option("insecure-http", HelpText = "Allow an http:// server that is not on this machine: the password and token cross the network in clear text.")]
    public bool InsecureHttp { get; set; }
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

        try
        {
            Gitops.Server.TransportPolicy.CheckServer(uri, options.InsecureHttp);
        }
        catch (Gitops.Server.InsecureTransportException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message); // before any password or token is read, let alone sent
        }

        var token = options.User is { } user
            ? TokenForUser(options.Server, user, SecretsCommand.ReadValue(console, input, $"the password of {user}"), console.Cancellation)
            : SecretsCommand.ReadValue(console, input, "the token");
        using var client = new ServerClient(options.Server, token, console.Cancellation);
        var repositories = client.Get<List<WatchedRepository>>("api/v1/repositories"); // proves address and token before saving them
        new Login(client.Server, token, options.InsecureHttp).Save(DataDirectory.Resolve(options.DataDir));
        console.Human.MarkupLine($"logged in to {client.Server} ({repositories.Count} watched repositories); status, history, logs and env now ask it");
        return ExitCodes.Ok;
    }

    /// <summary>Signs in (a session), then has the server make a 30-day API token for this CLI, which is what is kept.</summary>
    private static string TokenForUser(string server, string user, string password, CancellationToken cancellation)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        using var login = http.PostAsJsonAsync("api/v1/login", new { user, password }, cancellation).GetAwaiter().GetResult();
        if (!login.IsSuccessStatusCode)
        {
            throw new CliException(ExitCodes.Failed, login.StatusCode == System.Net.HttpStatusCode.TooManyRequests
                ? "too many failed sign-ins for this account or address; wait and try again"
                : "wrong user or password");
        }

        // The session cookie is Secure, so a cookie jar would not send it over a loopback http:// address: it is passed on by hand.
        var cookie = login.Headers.TryGetValues("Set-Cookie", out var values) ? values.First().Split(';')[0] : "";
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/tokens") { Content = JsonContent.Create(new { name = $"cli on {Environment.MachineName}", days = 30 }) };
        request.Headers.Add("Cookie", cookie);
        using var created = http.Send(request, cancellation);
        var body = created.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(cancellation).GetAwaiter().GetResult();
        return created.IsSuccessStatusCode && body?["token"]?.GetValue<string>() is { } token
            ? token
            : throw new CliException(ExitCodes.Failed, $"signed in, but the server made no token ({(int)created.StatusCode})");
    }

    public static int Logout(LogoutOptions options, CliConsole console)
    {
        var removed = Login.Remove(DataDirectory.Resolve(options.DataDir));
        console.For(options.Output).Human.MarkupLine(removed ? "logged out; commands work on the local data directory" : "not logged in");
        return ExitCodes.Ok;
    }
}
