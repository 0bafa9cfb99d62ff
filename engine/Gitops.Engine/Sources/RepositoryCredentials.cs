using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Engine.Sources;

/// <summary>What authenticates the platform to one watched repository. Its text form never shows the secret.</summary>
public abstract record RepositoryCredential;

/// <summary>An https token. Given only to the Git host when it asks, over https.</summary>
public sealed record GitCredential(string Username, string Token) : RepositoryCredential
{
    /// <summary>Any user name works with a token on GitHub, GitLab and Gitea; the name says where it comes from in their logs.</summary>
    public const string DefaultUsername = "x-access-token";

    public override string ToString() => $"[token for {Username} (hidden)]";
}

/// <summary>
/// An SSH deploy key of one repository (OpenSSH private key text), and the host keys it trusts
/// (known_hosts lines): given by the user, or learned on the first fetch and pinned from then on.
/// </summary>
public sealed record SshKeyCredential(string PrivateKey, string? KnownHosts) : RepositoryCredential
{
    /// <summary>Refuses what is not an unencrypted private key in OpenSSH or PEM form (a passphrase would need a prompt at every fetch).</summary>
    public static SshKeyCredential Parse(string privateKey, string? knownHosts)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var key = privateKey.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n";
        if (!key.StartsWith("-----BEGIN ", StringComparison.Ordinal) || !key.Contains("PRIVATE KEY-----\n", StringComparison.Ordinal) || !key.TrimEnd().EndsWith("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new ArgumentException("the SSH key is not a private key (expected '-----BEGIN OPENSSH PRIVATE KEY-----' … '-----END OPENSSH PRIVATE KEY-----', as ssh-keygen writes it)");
        }

        if (key.Contains("ENCRYPTED", StringComparison.Ordinal) || key.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            throw new ArgumentException("the SSH key is protected by a passphrase: give a deploy key without one (ssh-keygen -t ed25519 -N '' -f deploy-key); it is stored encrypted");
        }

        if (knownHosts is not null && knownHosts.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#') && l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 3))
        {
            throw new ArgumentException("known hosts: each line is 'HOST KEYTYPE KEY', as ssh-keyscan prints it");
        }

        return new SshKeyCredential(key, string.IsNullOrWhiteSpace(knownHosts) ? null : knownHosts.Trim() + "\n");
    }

    public override string ToString() => $"[SSH key (hidden){(KnownHosts is null ? "" : ", host keys pinned")}]";
}

/// <summary>
/// Repository credentials live in the encrypted secret store, under a scope no manifest can name,
/// never in the repository's URL: URLs are listed, logged and written into the fetch cache's config.
/// </summary>
public sealed class RepositoryCredentials(StateStore state)
{
    public const string Scope = "@repository";
    public const string TokenName = "GIT_TOKEN";
    public const string UsernameName = "GIT_USERNAME";
    public const string SshKeyName = "GIT_SSH_KEY";
    public const string KnownHostsName = "GIT_SSH_KNOWN_HOSTS";

    private readonly SecretStore _secrets = new(state);

    public void Set(string project, RepositoryCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        Remove(project); // one kind at a time: a token never lingers beside a key
        switch (credential)
        {
            case GitCredential token:
                _secrets.Set(project, Scope, UsernameName, token.Username);
                _secrets.Set(project, Scope, TokenName, token.Token);
                break;
            case SshKeyCredential ssh:
                _secrets.Set(project, Scope, SshKeyName, ssh.PrivateKey);
                PinHostKeys(project, ssh.KnownHosts);
                break;
        }
    }

    /// <summary>Records the host keys an SSH fetch trusted (learned on first use, or given).</summary>
    public void PinHostKeys(string project, string? knownHosts)
    {
        if (knownHosts is { Length: > 0 })
        {
            _secrets.Set(project, Scope, KnownHostsName, knownHosts);
        }
    }

    public RepositoryCredential? Of(string project)
    {
        var names = _secrets.List(project).Where(s => s.Environment == Scope).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (!names.Contains(TokenName) && !names.Contains(SshKeyName))
        {
            return null;
        }

        var values = _secrets.Resolve(project, Scope, names.ToList()).Reveal().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (values.TryGetValue(SshKeyName, out var key))
        {
            return new SshKeyCredential(key, values.GetValueOrDefault(KnownHostsName));
        }

        return values.TryGetValue(TokenName, out var token)
            ? new GitCredential(values.GetValueOrDefault(UsernameName) ?? GitCredential.DefaultUsername, token)
            : null;
    }

    public bool Has(string project) => _secrets.List(project).Any(s => s.Environment == Scope && s.Name is TokenName or SshKeyName);

    public void Remove(string project)
    {
        foreach (var name in new[] { TokenName, UsernameName, SshKeyName, KnownHostsName })
        {
            _secrets.Remove(project, Scope, name);
        }
    }
}
