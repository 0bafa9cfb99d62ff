using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gitops.Cli;

namespace Gitops.IntegrationTests;

/// <summary>
/// Each forge's webhook against a real server (no engine needed: a reconcile of a repository
/// that cannot be fetched still counts). Only a correctly signed, new delivery enqueues a
/// reconcile; oversized bodies are refused before they are read.
/// </summary>
public sealed class WebhookTests
{
    private const string Project = "shop";
    private const string Secret = "webhook-secret-0123456789";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\"}");

    [Fact]
    public async Task GitLab_token_and_Gitea_signature_are_checked_and_replays_refused()
    {
        await using var server = await StartAsync();

        var gitlabWrong = await PostAsync(server, Body, ("X-Gitlab-Token", "not-the-secret"), ("X-Gitlab-Event-UUID", "u1"));
        var giteaWrong = await PostAsync(server, Body, ("X-Gitea-Signature", Hmac("wrong-secret", Body)), ("X-Gitea-Delivery", "g1"));
        var giteaPrefixed = await PostAsync(server, Body, ("X-Gitea-Signature", "sha256=" + Hmac(Secret, Body)), ("X-Gitea-Delivery", "g2"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = await server.ReconcilesAsync();

        var gitlab = await PostAsync(server, Body, ("X-Gitlab-Token", Secret), ("X-Gitlab-Event-UUID", "u2"));
        await server.WaitForReconcilesAsync(before + 1);
        var giteaBody = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"gitea\"}"); // each real delivery has its own body
        var gitea = await PostAsync(server, giteaBody, ("X-Gitea-Signature", Hmac(Secret, giteaBody)), ("X-Gitea-Delivery", "g3"));
        await server.WaitForReconcilesAsync(before + 2);
        var gitlabReplay = await PostAsync(server, Body, ("X-Gitlab-Token", Secret), ("X-Gitlab-Event-UUID", "u2"));
        var giteaReplay = await PostAsync(server, giteaBody, ("X-Gitea-Signature", Hmac(Secret, giteaBody)), ("X-Gitea-Delivery", "g3"));
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (gitlabWrong, giteaWrong, giteaPrefixed));
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (gitlab, gitea));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (gitlabReplay, giteaReplay));
        Assert.Equal(before + 2, await server.ReconcilesAsync());
    }

    [Fact]
    public async Task Bodies_over_one_MiB_are_refused_even_when_signed()
    {
        await using var server = await StartAsync();
        var large = new byte[(1024 * 1024) + 1];
        large.AsSpan().Fill((byte)' ');
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = await server.ReconcilesAsync();

        // The server answers 413 without reading the body; a client still sending may see the connection close first.
        var declared = await SendAsync(server, new ByteArrayContent(large), [("X-Hub-Signature-256", "sha256=" + Hmac(Secret, large)), ("X-GitHub-Delivery", "big1")]);
        var chunked = await PostChunkedAsync(server, large, ("X-Hub-Signature-256", "sha256=" + Hmac(Secret, large)), ("X-GitHub-Delivery", "big2"));
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.True(declared is HttpStatusCode.RequestEntityTooLarge or null, $"declared: {declared}");
        Assert.True(chunked is HttpStatusCode.RequestEntityTooLarge or null, $"chunked: {chunked}");
        Assert.Equal(before, await server.ReconcilesAsync());
    }

    [Fact]
    public async Task A_recorded_body_sent_again_under_a_new_delivery_id_is_refused()
    {
        await using var server = await StartAsync();
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"new-id\"}");
        var before = await server.ReconcilesAsync();
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(server, body, ("X-Hub-Signature-256", "sha256=" + Hmac(Secret, body)), ("X-GitHub-Delivery", "d1")));
        await server.WaitForReconcilesAsync(before + 1);

        var replayed = await PostAsync(server, body, ("X-Hub-Signature-256", "sha256=" + Hmac(Secret, body)), ("X-GitHub-Delivery", "d2"));
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
        Assert.Equal(before + 1, await server.ReconcilesAsync());
    }

    [Fact]
    public async Task A_recorded_delivery_is_refused_after_a_restart()
    {
        var data = Prepare();
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"restart\"}");
        (string, string)[] headers = [("X-Hub-Signature-256", "sha256=" + Hmac(Secret, body)), ("X-GitHub-Delivery", "r1")];
        await using (var first = await InProcessServer.StartAsync(data, TimeSpan.FromHours(1)))
        {
            await first.WaitForReconcilesAsync(1);
            Assert.Equal(HttpStatusCode.Accepted, await PostAsync(first, body, headers));
            await first.WaitForReconcilesAsync(2);
        }

        await using var second = await InProcessServer.StartAsync(data, TimeSpan.FromHours(1)) with { OwnedDirectory = data };
        await second.WaitForReconcilesAsync(1);

        var replayed = await PostAsync(second, body, headers);
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
        Assert.Equal(1, await second.ReconcilesAsync());
    }

    [Fact]
    public async Task An_unknown_project_answers_exactly_like_a_wrong_signature()
    {
        await using var server = await StartAsync();
        var before = await server.ReconcilesAsync();

        var wrong = await AnswerAsync(server, Project, ("X-Hub-Signature-256", "sha256=" + Hmac("wrong-secret-0123456789", Body)), ("X-GitHub-Delivery", "w1"));
        var unknown = await AnswerAsync(server, "no-such-project", ("X-Hub-Signature-256", "sha256=" + Hmac(Secret, Body)), ("X-GitHub-Delivery", "w2"));
        var unknownUnsigned = await AnswerAsync(server, "no-such-project", ("X-GitHub-Delivery", "w3"));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal(wrong, unknown);
        Assert.Equal(wrong, unknownUnsigned);
        Assert.Equal(before, await server.ReconcilesAsync());
    }

    /// <summary>A platform with one repository (never fetchable) that has a webhook secret; polling off.</summary>
    private static async Task<InProcessServer> StartAsync()
    {
        var data = Prepare();
        var server = await InProcessServer.StartAsync(data, TimeSpan.FromHours(1)) with { OwnedDirectory = data };
        await server.WaitForReconcilesAsync(1); // the start-up poll
        return server;
    }

    private static string Prepare()
    {
        var data = Directory.CreateTempSubdirectory("paas-hooks-").FullName;
        File.WriteAllText(Path.Combine(data, "platform.yaml"), "allowFileUrls: true\n");
        Assert.Equal(0, Cli(data, "", "repo", "add", new Uri(Path.Combine(data, "missing.git")).AbsoluteUri, "--project", Project));
        Assert.Equal(0, Cli(data, Secret, "repo", "webhook", Project));
        return data;
    }

    /// <summary>Everything a caller can see of the answer: status, content type and body.</summary>
    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> AnswerAsync(InProcessServer server, string project, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{project}") { Content = new ByteArrayContent(Body) };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await server.Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
    }

    private static int Cli(string data, string input, params string[] args) =>
        PaasCli.Run([.. args, "--data-dir", data], CliConsole.Plain(TextWriter.Null, TextWriter.Null), new StringReader(input));

    private static string Hmac(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static async Task<HttpStatusCode> PostAsync(InProcessServer server, byte[] body, params (string Name, string Value)[] headers) =>
        await SendAsync(server, new ByteArrayContent(body), headers) ?? throw new InvalidOperationException("the server closed the connection without an answer");

    private static Task<HttpStatusCode?> PostChunkedAsync(InProcessServer server, byte[] body, params (string Name, string Value)[] headers)
    {
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentLength = null;
        return SendAsync(server, content, headers, chunked: true);
    }

    /// <returns>The status, or null when the server answered by closing the connection mid-body.</returns>
    private static async Task<HttpStatusCode?> SendAsync(InProcessServer server, HttpContent content, (string Name, string Value)[] headers, bool chunked = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{Project}") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        try
        {
            using var response = await server.Http.SendAsync(request);
            return response.StatusCode;
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.Unknown)
        {
            // Kestrel may answer 413 and close while a chunked body is still being sent.
            return null;
        }
    }
}
