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

    [Fact]
    public async Task The_fakes_cloud_scheduler_refuses_what_cloud_scheduler_refuses_and_patches_only_the_masked_fields()
    {
        await using var fake = await FakeCloudRun.StartAsync(Token);
        var jobs = $"v1/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs";
        JsonObject Job(string schedule, string zone) => new()
        {
            ["name"] = $"projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs/nightly",
            ["schedule"] = schedule,
            ["timeZone"] = zone,
            ["httpTarget"] = new JsonObject { ["uri"] = "https://run.googleapis.com/v2/x:run", ["httpMethod"] = "POST" },
        };

        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(fake, HttpMethod.Post, jobs, Job("0 3 L * * *", "Etc/UTC")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(fake, HttpMethod.Post, jobs, Job("0 3 * * *", "Mars/Olympus")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fake, HttpMethod.Post, jobs, Job("0 3 * * *", "Europe/Paris")));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(fake, HttpMethod.Post, jobs, Job("0 3 * * *", "Europe/Paris")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fake, HttpMethod.Patch, $"{jobs}/nightly?updateMask=schedule", Job("0 4 * * *", "Asia/Tokyo")));

        var job = fake.Scheduler.Peek("nightly")!;
        Assert.Equal(("0 4 * * *", "Europe/Paris", "ENABLED"), ((string?)job["schedule"], (string?)job["timeZone"], (string?)job["state"]));
    }

    [Fact]
    public async Task The_fakes_cloud_run_jobs_refuse_a_taken_id_and_a_stale_etag_and_answer_operations()
    {
        await using var fake = await FakeCloudRun.StartAsync(Token);
        var jobs = $"v2/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs";
        var body = new JsonObject { ["template"] = new JsonObject { ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["image"] = "a:1" }) } } };

        var created = await fake.ConsoleAsync(HttpMethod.Post, $"{jobs}?jobId=nightly", body, Token);
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(fake, HttpMethod.Post, $"{jobs}?jobId=nightly", body));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(fake, HttpMethod.Post, $"{jobs}?jobId=Nightly_1", body));
        var stale = (JsonObject)body.DeepClone();
        stale["etag"] = "not-the-current-one";
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(fake, HttpMethod.Patch, $"{jobs}/nightly", stale));

        var operation = $"v2/{(string)created!["name"]!}";
        Assert.False((bool)(await fake.ConsoleAsync(HttpMethod.Get, operation, null, Token))!["done"]!);
        Assert.True((bool)(await fake.ConsoleAsync(HttpMethod.Get, operation, null, Token))!["done"]!);
    }

    private static async Task<HttpStatusCode> StatusAsync(FakeCloudRun fake, HttpMethod method, string path, JsonObject body)
    {
        using var client = new HttpClient { BaseAddress = fake.BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fake.ConsoleToken);
        using var response = await client.SendAsync(request, Token);
        return response.StatusCode;
    }
}
