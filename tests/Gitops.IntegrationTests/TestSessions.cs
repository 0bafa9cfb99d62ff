using System.Net;
using System.Text;

namespace Gitops.IntegrationTests;

/// <summary>Signs people in to a test's server: their session cookie, or an API token they made.</summary>
internal static class TestSessions
{
    public const string Password = "correct horse battery staple";

    /// <summary>"Cookie paas_session=…", as <see cref="AttackerTests.SendAsync"/> takes it.</summary>
    public static async Task<string> CookieAsync(InProcessServer server, string user)
    {
        using var response = await server.Http.PostAsync("/api/v1/login", new StringContent($$"""{"user":"{{user}}","password":"{{Password}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return "Cookie " + response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    /// <summary>A token the user made through the API with their session.</summary>
    public static async Task<string> TokenAsync(InProcessServer server, string user)
    {
        var (status, body) = await AttackerTests.SendAsync(server, await CookieAsync(server, user), "POST", "/api/v1/tokens", "{}");
        Assert.Equal(HttpStatusCode.OK, status);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }
}
