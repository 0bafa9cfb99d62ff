using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gitops.Clouds.Tests.Fake;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The FAKE Cloud Run Admin API holds to what the tests rely on: no call without an access token it
/// issued, and no token for an assertion the service account's key did not sign.
/// </summary>
public sealed class FakeCloudRunTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_call_without_an_issued_access_token_is_answered_401_in_googles_error_shape()
    {
        await using var fake = await FakeCloudRun.StartAsync(Token);
        using var client = new HttpClient { BaseAddress = fake.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/services");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "ya29.made-up");

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Token))!["error"]!;
        Assert.Equal((401, "UNAUTHENTICATED"), ((int)error["code"]!, (string?)error["status"]));
        Assert.Equal(1, fake.Unauthenticated);
    }

    [Fact]
    public async Task A_key_the_fake_does_not_trust_gets_no_token_and_the_driver_says_so_without_calling_the_api()
    {
        using var stranger = RSA.Create(2048);
        await using var target = await CloudRunTarget.StartAsync(key: fake =>
        {
            var key = JsonNode.Parse(fake.ServiceAccountJson)!;
            key["private_key"] = stranger.ExportPkcs8PrivateKeyPem() + "\n";
            return key.ToJsonString();
        });

        var probe = await target.Driver.ProbeAsync(Token);

        Assert.False(probe.Answers);
        Assert.Contains("the service account's token request was refused: invalid_grant: Invalid JWT Signature.", probe.Detail, StringComparison.Ordinal);
        Assert.Empty(target.Fake.Calls);
        Assert.Equal(0, target.Fake.Unauthenticated);
    }
}
