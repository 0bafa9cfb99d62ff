using Gitops.Providers.Gcp;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A service-account key kept for a cloudrun target with <c>paas target credentials gcp</c>: it signs
/// the target in without GOOGLE_APPLICATION_CREDENTIALS, sits sealed in the state, and never shows; a
/// JSON that is not a service account's key is refused unquoted. Against the FAKE Cloud Run API.
/// </summary>
public sealed class CloudRunStoredKeyTests
{
    [Fact]
    public async Task A_stored_key_signs_the_target_in_without_the_environments_key_file_and_never_shows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await CloudRunWorld.StartAsync(ct);
        Environment.SetEnvironmentVariable(CloudRunProvider.CredentialsVariable, null); // only the store can sign it in now
        var project = $"k{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, "  web:\n    image: registry.example.com/stored/web:1\n    port: 8080\n");

        var keyless = world.Apply();
        var refused = world.PaasWithInput("""{ "type": "authorized_user", "client_id": "x", "refresh_token": "y" }""", "target", "credentials", "gcp");
        var stored = world.PaasWithInput(world.Fake.ServiceAccountJson, "target", "credentials", "gcp").Succeeded();
        var applied = world.Apply().Succeeded();
        var status = world.Paas("status", world.AppDirectory, "--env", CloudRunWorld.Environment).Succeeded();

        Assert.NotEqual(0, keyless.ExitCode);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("type is not \"service_account\"", refused.Error, StringComparison.Ordinal);
        Assert.NotEmpty(world.Fake.IssuedTokens); // the stored key was exchanged for tokens
        var texts = new Dictionary<string, string>();
        foreach (var (name, run) in new[] { ("keyless apply", keyless), ("refusal", refused), ("store", stored), ("apply", applied), ("status", status) })
        {
            texts[name] = run.ToString();
        }

        foreach (var file in world.Files)
        {
            texts[file] = CanaryText.ReadShared(file); // the state holds the key sealed, never as written
        }

        CanaryText.AssertAbsent(texts, CloudRunCredentialCanaryTests.Secrets(world.Fake.PrivateKeyPem, world.Fake.IssuedTokens));
    }
}
