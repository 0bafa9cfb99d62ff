using System.Text;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Tests;

public sealed class SecretStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-secrets-").FullName;

    [Fact]
    public void Values_round_trip_and_the_environment_wins_over_the_project()
    {
        using var state = StateStore.Open(_directory);
        var store = new SecretStore(state);
        store.Set("shop", null, "DB_URL", "postgres://all");
        store.Set("shop", "prod", "DB_URL", "postgres://prod");

        Assert.Equal("postgres://prod", store.Resolve("shop", "prod", ["DB_URL"]).Reveal().Single().Value);
        Assert.Equal("postgres://all", store.Resolve("shop", "dev", ["DB_URL"]).Reveal().Single().Value);
        Assert.Equal("v1 (prod)", store.Versions("shop", "prod")["DB_URL"]);
        Assert.Equal("v1 (all environments)", store.Versions("shop", "dev")["DB_URL"]);
        Assert.DoesNotContain("postgres", store.Resolve("shop", "dev", ["DB_URL"]).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_file_is_private_and_the_database_holds_no_clear_text()
    {
        using (var state = StateStore.Open(_directory))
        {
            new SecretStore(state).Set("shop", null, "TOKEN", "canary-7f3a9");
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, MasterKey.FileName)));
        foreach (var file in Directory.GetFiles(_directory))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf("canary-7f3a9"u8) < 0, file);
        }
    }

    [Fact]
    public void Without_the_master_key_values_cannot_be_read_and_the_error_says_why()
    {
        using var state = StateStore.Open(_directory);
        var store = new SecretStore(state);
        store.Set("shop", null, "TOKEN", "value");
        File.Delete(Path.Combine(_directory, MasterKey.FileName));

        var error = Assert.Throws<InvalidOperationException>(() => store.Resolve("shop", "dev", ["TOKEN"]));

        Assert.Contains("master key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("value", error.Message.Replace("values", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void A_sealed_value_moved_to_another_secret_does_not_open()
    {
        using var state = StateStore.Open(_directory);
        var store = new SecretStore(state);
        store.Set("shop", null, "PUBLIC_NAME", "harmless");
        store.Set("shop", null, "ADMIN_TOKEN", "secret");
        var collection = state.Collection("secrets");
        var admin = collection.FindById("shop/*/ADMIN_TOKEN");
        var swapped = collection.FindById("shop/*/PUBLIC_NAME");
        foreach (var field in new[] { "nonce", "cipher", "tag", "keyNonce", "wrappedKey", "keyTag" })
        {
            swapped[field] = admin[field];
        }

        collection.Update(swapped);

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => store.Resolve("shop", "dev", ["PUBLIC_NAME"]));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
