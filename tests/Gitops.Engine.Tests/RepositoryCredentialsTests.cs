using Gitops.Engine.Sources;
using Gitops.Engine.State;
using LibGit2Sharp;
using LiteDB;

namespace Gitops.Engine.Tests;

/// <summary>Repository URLs never carry credentials: refused when given, split out when found in older state, and tokens reach only an https challenge.</summary>
public sealed class RepositoryCredentialsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-repocred-").FullName;

    [Theory]
    [InlineData("https://bot:tok-secret@git.example/shop.git")]
    [InlineData("https://tok-secret@git.example/shop.git")]
    [InlineData("ssh://git:tok-secret@git.example/shop.git")]
    [InlineData("file://u:tok-secret@localhost/srv/shop.git")]
    public void A_url_with_credentials_is_refused_saying_how_to_add_them_without_repeating_them(string url)
    {
        var error = Assert.Throws<RepositoryUrlException>(() => GitSource.CheckUrl(url, allowFileUrls: true));

        Assert.Contains("carries credentials", error.Message, StringComparison.Ordinal);
        Assert.Contains("--credential-stdin < token-file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ssh_url_with_a_user_name_only_is_accepted()
    {
        GitSource.CheckUrl("ssh://git@git.example/shop.git", allowFileUrls: false);
        Assert.Throws<RepositoryUrlException>(() => GitSource.CheckUrl("git@git.example:shop.git", allowFileUrls: false)); // scp-like: write ssh://
    }

    [Theory]
    [InlineData("ssh://git@git.example/shop$(id).git")]
    [InlineData("ssh://git@git.example/shop`id`.git")]
    [InlineData("ssh://git@git.example/shop.git\";id;\"")]
    [InlineData("ssh://git@git.example/a\\b.git")]
    [InlineData("ssh://g$(id)@git.example/shop.git")]
    [InlineData("ssh://git@git$(id).example/shop.git")]
    [InlineData("ssh://git@git.example:22x/shop.git")]
    [InlineData("ssh://git@git.example/shop!.git")]
    [InlineData("ssh://-oProxyCommand=id@git.example/shop.git")]
    [InlineData("ssh://git@-oProxyCommand=id/shop.git")]
    [InlineData("ssh://git@git.example/shop'.git")]
    [InlineData("ssh://git@git.example")]
    public void An_ssh_url_with_anything_a_shell_would_expand_is_refused(string url)
    {
        var error = Assert.Throws<RepositoryUrlException>(() => GitSource.CheckUrl(url, allowFileUrls: false));

        Assert.Contains("ssh://[user@]host[:port]/path", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ssh://git@git.example/acme/shop.git")]
    [InlineData("ssh://git@git.example:2222/~/shop.git")]
    [InlineData("ssh://git.example/srv/git/shop_v2+x.git")]
    [InlineData("ssh://git@[2001:db8:0:0:0:0:0:1]:22/shop.git")]
    public void An_ssh_url_of_the_usual_forms_is_accepted(string url) => GitSource.CheckUrl(url, allowFileUrls: false);

    [Theory]
    [InlineData("ssh-ed25519 AAAAC3 someone@host", "not a private key")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n", "not a private key")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END RSA PRIVATE KEY-----", "passphrase")]
    public void A_deploy_key_that_cannot_be_used_unattended_is_refused(string key, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => SshKeyCredential.Parse(key, null));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deploy_key_replaces_a_token_and_its_text_form_hides_it()
    {
        using var state = StateStore.Open(_directory);
        var credentials = new RepositoryCredentials(state);
        credentials.Set("shop", new GitCredential("bot", "tok-secret"));
        var key = SshKeyCredential.Parse("-----BEGIN OPENSSH PRIVATE KEY-----\r\nb3BlbnNzaC1rZXk\r\n-----END OPENSSH PRIVATE KEY-----", "git.example ssh-ed25519 AAAAhost");

        credentials.Set("shop", key);
        credentials.PinHostKeys("shop", "git.example ssh-ed25519 AAAAlearned\n");

        var stored = Assert.IsType<SshKeyCredential>(credentials.Of("shop"));
        Assert.Equal("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\n", stored.PrivateKey);
        Assert.Equal("git.example ssh-ed25519 AAAAlearned\n", stored.KnownHosts);
        Assert.DoesNotContain(state.Collection("secrets").FindAll(), d => d["name"].AsString == RepositoryCredentials.TokenName);
        Assert.DoesNotContain("b3BlbnNzaC1rZXk", key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_credentialed_url_stored_by_an_older_version_is_split_into_a_clean_url_and_a_stored_token()
    {
        using var state = StateStore.Open(_directory);
        state.Collection("repositories").Insert(new BsonDocument { ["_id"] = "shop", ["url"] = "https://bot:tok%2Fsecret@git.example/shop.git", ["error"] = "fetching https://bot:tok%2Fsecret@git.example/shop.git failed" });
        state.Collection("repositories").Insert(new BsonDocument { ["_id"] = "ops", ["url"] = "https://only-token@git.example/ops.git" });

        var listed = new RepositoryRegistry(state).List();

        Assert.Equal(["https://git.example/ops.git", "https://git.example/shop.git"], listed.Select(r => r.Url));
        Assert.DoesNotContain("secret", listed.Single(r => r.Project == "shop").Error, StringComparison.Ordinal);
        Assert.Equal(new GitCredential("bot", "tok/secret"), new RepositoryCredentials(state).Of("shop"));
        Assert.Equal(new GitCredential(GitCredential.DefaultUsername, "only-token"), new RepositoryCredentials(state).Of("ops"));
        Assert.Equal("https://git.example/shop.git", state.Collection("repositories").FindById("shop")["url"].AsString);
    }

    [Fact]
    public void The_stored_token_answers_an_https_challenge_only()
    {
        var credential = new GitCredential("bot", "tok-secret");

        var https = GitSource.Credentials("https://git.example/shop.git", credential)!("https://git.example/shop.git", null, SupportedCredentialTypes.UsernamePassword);

        var given = Assert.IsType<UsernamePasswordCredentials>(https);
        Assert.Equal(("bot", "tok-secret"), (given.Username, given.Password));
        Assert.Null(GitSource.Credentials("ssh://git@git.example/shop.git", credential));
        Assert.Null(GitSource.Credentials("file:///srv/shop.git", credential));
        Assert.DoesNotContain("tok-secret", credential.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Watching_another_url_without_a_token_drops_the_old_token_and_removing_drops_it_too()
    {
        using var state = StateStore.Open(_directory);
        var registry = new RepositoryRegistry(state);
        var credentials = new RepositoryCredentials(state);
        registry.Add("shop", "https://git.example/shop.git", new GitCredential("bot", "tok-secret"));
        registry.Add("shop", "https://elsewhere.example/shop.git");
        Assert.Null(credentials.Of("shop")); // an old token never follows a URL to another host

        registry.Add("shop", "https://git.example/shop.git", new GitCredential("bot", "tok-secret"));
        registry.Remove("shop");
        Assert.Null(credentials.Of("shop"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
