using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Gitops.Cli;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Server;

namespace Gitops.IntegrationTests;

/// <summary>
/// Repository credentials go into the encrypted store and only to the Git host: never in a URL, an
/// API answer, the server's log or the fetch cache. A URL carrying them is refused, saying how to
/// add them. No container engine is involved.
/// </summary>
public sealed partial class RepositoryCredentialTests : IDisposable
{
    private const string Password = "watcher-password-0123456789";
    private readonly string _root = Directory.CreateTempSubdirectory("paas-repo-cred-").FullName;

    [Fact]
    public async Task A_stored_token_fetches_from_an_authenticated_host_and_appears_in_no_answer_log_or_file()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var hosted = Directory.CreateDirectory(Path.Combine(_root, "hosted")).FullName;
        var git = new GitWorkTree(hosted);
        git.Write("README.md", "private\n");
        git.CommitAndPush("v1");
        var token = $"canary-{Guid.NewGuid():N}";
        await using var host = await AuthenticatedGitServer.StartAsync(hosted, "bot", token, _root);
        var url = host.Url + "remote.git";
        Assert.Equal(0, Cli(data, Password, "users", "add", "watcher", "--role", "viewer", "--scope", "org:default"));
        string admin;
        using (var state = StateStore.Open(data))
        {
            admin = new AdminToken(state).CreateIfMissing()!;
        }

        var listen = $"http://127.0.0.1:{FreePort.Next()}";
        using var server = PaasProcess.Start(new Dictionary<string, string> { ["SSL_CERT_FILE"] = host.CertificateFile }, "server", "--data-dir", data, "--listen", listen, "--poll", "1", "--log-format", "json");
        using var http = new HttpClient { BaseAddress = new Uri(listen) };
        await WaitAsync(async () => (await TryGetAsync(http, "/healthz")) is not null, "the server did not answer");

        var credentialed = await SendAsync(http, HttpMethod.Post, "/api/v1/repositories", admin, new { url = url.Replace("https://", $"https://bot:{token}@", StringComparison.Ordinal), project = "leaky" });
        var added = await SendAsync(http, HttpMethod.Post, "/api/v1/repositories", admin, new { url, project = "private", credential = token, username = "bot" });
        await WaitAsync(async () => (await SendAsync(http, HttpMethod.Get, "/api/v1/repositories", admin, null)).Body.Contains("\"fetchedAt\":\"", StringComparison.Ordinal), "no fetch recorded");
        var asAdmin = await SendAsync(http, HttpMethod.Get, "/api/v1/repositories", admin, null);
        var asViewer = await ViewerAsync(http);
        server.Terminate();
        var (_, log) = await server.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.BadRequest, credentialed.Status);
        Assert.Contains("carries credentials", credentialed.Body, StringComparison.Ordinal);
        Assert.Contains("--credential-stdin", credentialed.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.True(host.Authenticated > 0, "the host never saw the token");
        Assert.Contains("\"error\":null", asAdmin.Body, StringComparison.Ordinal); // the authenticated fetch succeeded
        Assert.Contains(url, asViewer, StringComparison.Ordinal);
        Assert.DoesNotContain("leaky", asAdmin.Body, StringComparison.Ordinal); // nothing of the refused request was kept
        foreach (var text in new[] { credentialed.Body, added.Body, asAdmin.Body, asViewer, log })
        {
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        }

        foreach (var file in Directory.GetFiles(data, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".pack", StringComparison.Ordinal)))
        {
            Assert.False((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(Encoding.UTF8.GetBytes(token)) >= 0, $"{file} holds the token in clear text");
        }
    }

    [Fact]
    public void The_cli_refuses_a_url_with_credentials_and_takes_the_token_from_standard_input()
    {
        var data = Directory.CreateTempSubdirectory("paas-repo-cli-").FullName;
        try
        {
            var refused = CliRun(data, "", "repo", "add", "https://bot:s3cr3t-token@git.example/shop.git", "--project", "shop");
            var added = CliRun(data, "s3cr3t-token\n", "repo", "add", "https://git.example/shop.git", "--project", "shop", "--credential-stdin", "--username", "bot");
            var listed = CliRun(data, "", "repo", "list", "--output", "json");

            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("carries credentials", refused.Error, StringComparison.Ordinal);
            Assert.Contains("paas repo add https://git.example/shop.git --project PROJECT --credential-stdin", refused.Error, StringComparison.Ordinal);
            Assert.Equal(0, added.ExitCode);
            Assert.Contains("https://git.example/shop.git", listed.Output, StringComparison.Ordinal);
            Assert.All(new[] { refused, added, listed }, r => Assert.DoesNotContain("s3cr3t-token", r.Output + r.Error, StringComparison.Ordinal));
            using var state = StateStore.Open(data);
            Assert.Equal(new GitCredential("bot", "s3cr3t-token"), new RepositoryCredentials(state).Of("shop"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<string> ViewerAsync(HttpClient http)
    {
        using var login = await http.PostAsync("/api/v1/login", new StringContent($"{{\"user\":\"watcher\",\"password\":\"{Password}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/repositories");
        request.Headers.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetStringAsync(path);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> done, string failure)
    {
        var deadline = DateTime.UtcNow + InProcessServer.Patience;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(200);
        }
    }

    private static int Cli(string data, string input, params string[] args) => CliRun(data, input, args).ExitCode;

    private static CliRun CliRun(string data, string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run([.. args, "--data-dir", data], CliConsole.Plain(output, error), new StringReader(input));
        return JsonOutputCheck.Checked(args, new CliRun(code, output.ToString(), error.ToString()));
    }
}
