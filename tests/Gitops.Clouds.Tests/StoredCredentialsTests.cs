using System.Text.Json.Nodes;
using Gitops.Tests;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Keys kept for an ecs target with <c>paas target credentials aws</c> (the JSON the aws CLI exports):
/// they sign the target's requests in place of the environment's, sit sealed in the state, and never
/// show; a value that is not a key pair is refused without being quoted, and nothing is stored.
/// </summary>
public sealed class StoredCredentialsTests(Moto moto)
{
    private const string StoredKeyId = "AKIASTOREDKEY0000001";

    [Fact]
    public async Task Stored_keys_sign_the_targets_requests_instead_of_the_environments_until_forgotten()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "environment/secret/key/0000000000000000000", registry: false, ct);
        var project = $"k{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, "  web:\n    image: registry.example.com/stored/web:1\n    port: 8080\n");
        var keys = $$"""{ "Version": 1, "AccessKeyId": "{{StoredKeyId}}", "SecretAccessKey": "{{CredentialCanaryTests.Canary}}" }""";
        var runs = new List<CliRun>();
        IReadOnlyList<JsonObject> whileStored, afterForget;
        await using (var recording = await moto.RecordAsync(ct))
        {
            runs.Add(world.PaasWithInput(keys, "target", "credentials", "aws").Succeeded());
            runs.Add(world.Apply().Succeeded());
            runs.Add(world.Paas("target", "list", "-o", "json").Succeeded());
            whileStored = recording.Requests();
        }

        await using (var recording = await moto.RecordAsync(ct))
        {
            runs.Add(world.Paas("target", "forget", "aws").Succeeded());
            runs.Add(world.Paas("status", world.AppDirectory, "--env", EcsWorld.Environment).Succeeded());
            afterForget = recording.Requests();
        }

        var listed = JsonNode.Parse(runs[2].Output)!["targets"]!.AsArray().Single(t => (string?)t!["name"] == "aws")!;
        Assert.Equal("ecs", (string?)listed["kind"]);
        Assert.NotNull((string?)listed["credentialsStoredAt"]);
        // moto also records the FAKE scheduler's requests, signed with its own key: count the platform's two keys.
        Assert.True(SignedBy(whileStored, StoredKeyId) > 5, $"{SignedBy(whileStored, StoredKeyId)} of {whileStored.Count} requests signed with the stored key");
        Assert.Equal(0, SignedBy(whileStored, EcsWorld.AccessKeyId));
        Assert.True(SignedBy(afterForget, EcsWorld.AccessKeyId) > 0, "status after forget did not sign with the environment's key");
        Assert.Equal(0, SignedBy(afterForget, StoredKeyId));
        var texts = new Dictionary<string, string> { ["recorded requests"] = string.Join("\n", whileStored.Select(r => r.ToJsonString())) };
        for (var i = 0; i < runs.Count; i++)
        {
            texts[$"paas run {i}"] = runs[i].ToString();
        }

        foreach (var file in world.Files)
        {
            texts[file] = CanaryText.ReadShared(file); // the state holds them sealed, never as written
        }

        CredentialCanaryTests.AssertNoCanary(texts);
    }

    [Theory]
    [InlineData("aws", "not JSON", "CANARYsecretKEY/never+printed/0123456789")]
    [InlineData("aws", "AccessKeyId is missing", """{ "SecretAccessKey": "CANARYsecretKEY/never+printed/0123456789" }""")]
    [InlineData("aws", "SecretAccessKey is missing", """{ "AccessKeyId": "AKIASTOREDKEY0000001", "secretAccessKey": "CANARYsecretKEY/never+printed/0123456789" }""")]
    [InlineData("nosuch", "no target 'nosuch'", """{ "AccessKeyId": "AKIASTOREDKEY0000001", "SecretAccessKey": "CANARYsecretKEY/never+printed/0123456789" }""")]
    public async Task A_value_that_is_not_the_targets_key_pair_is_refused_unquoted_and_nothing_is_stored(string target, string said, string value)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "environment/secret/key/0000000000000000000", registry: false, ct);

        var refused = world.PaasWithInput(value, "target", "credentials", target);
        var list = world.Paas("target", "list", "-o", "json").Succeeded();

        Assert.Equal(1, refused.ExitCode); // invalid input
        Assert.Contains(said, refused.Error, StringComparison.Ordinal);
        CredentialCanaryTests.AssertNoCanary(new() { ["the refusal"] = refused.ToString() });
        Assert.All(JsonNode.Parse(list.Output)!["targets"]!.AsArray(), t => Assert.Null((string?)t!["credentialsStoredAt"]));
    }

    private static int SignedBy(IEnumerable<JsonObject> requests, string keyId) =>
        requests.Count(r => ((string?)r["headers"]?["Authorization"] ?? "").Contains($"Credential={keyId}/", StringComparison.Ordinal));
}
