using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Engine.Images;

/// <summary>A login to one registry. Its password never reaches a log, a plan, an error or the API.</summary>
public sealed record RegistryLogin(string Host, string Username, string Password)
{
    public override string ToString() => $"{Username} at {Host}";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Host = ").Append(Host).Append(", Username = ").Append(Username).Append(", Password = ***");
        return true;
    }
}

/// <summary>
/// The platform's registry logins (<c>paas registry login HOST</c>), one per registry host, kept in
/// the encrypted secret store under a name no project can have (project names have no <c>@</c>).
/// </summary>
public sealed class RegistryLogins(StateStore state)
{
    private const string Owner = "@registries";
    private const string Everywhere = SecretStore.AllEnvironments;
    private readonly SecretStore _store = new(state);

    public void Save(RegistryLogin login)
    {
        ArgumentNullException.ThrowIfNull(login);
        var host = Host(login.Host);
        _store.Set(Owner, Everywhere, host, $"{login.Username}\n{login.Password}");
    }

    public bool Remove(string host) => _store.Remove(Owner, Everywhere, Host(host));

    /// <summary>Hosts with a login and when each was saved; never a password.</summary>
    public IReadOnlyList<SecretInfo> List() => _store.List(Owner);

    /// <summary>The login for the registry that holds <paramref name="host"/>'s images, or null to pull anonymously.</summary>
    public RegistryLogin? For(string host)
    {
        var key = Host(host);
        var values = _store.Resolve(Owner, Everywhere, [key]);
        if (values.Reveal().FirstOrDefault(v => v.Key == key).Value is not { } stored)
        {
            return null;
        }

        var newline = stored.IndexOf('\n', StringComparison.Ordinal);
        return new RegistryLogin(key, stored[..newline], stored[(newline + 1)..]);
    }

    /// <summary>Docker Hub answers to several names; one login serves them all.</summary>
    public static string Host(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var name = host.Trim().ToLowerInvariant();
        name = name.StartsWith("https://", StringComparison.Ordinal) ? name[8..] : name.StartsWith("http://", StringComparison.Ordinal) ? name[7..] : name;
        name = name.TrimEnd('/');
        return name is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? ImageReference.DockerHub : name;
    }
}
