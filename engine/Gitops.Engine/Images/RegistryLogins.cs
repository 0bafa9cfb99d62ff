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

/// <summary>A saved login as listed: its registry and whose it is (null: the platform's), never its password.</summary>
public sealed record RegistryLoginInfo(string Host, string? Project, DateTimeOffset SavedAt);

/// <summary>
/// Registry logins (<c>paas registry login HOST [--project P]</c>), one per registry host and owner,
/// kept in the encrypted secret store under owners no project can be (project names have no
/// <c>@</c>). A project's login serves only that project's pulls: a login lent to every tenant
/// would let any of them pull whatever it can read. The platform's own login serves its push
/// registry: the builds it pushes there and each project's pulls of its own path.
/// </summary>
public sealed class RegistryLogins(StateStore state)
{
    private const string Platform = "@registries";
    private const string Everywhere = SecretStore.AllEnvironments;
    private readonly SecretStore _store = new(state);

    /// <param name="project">Whose login it is; null for the platform's.</param>
    public void Save(RegistryLogin login, string? project)
    {
        ArgumentNullException.ThrowIfNull(login);
        _store.Set(Owner(project), Everywhere, Host(login.Host), $"{login.Username}\n{login.Password}");
    }

    public bool Remove(string host, string? project) => _store.Remove(Owner(project), Everywhere, Host(host));

    /// <summary>Every saved login, never a password.</summary>
    public IReadOnlyList<RegistryLoginInfo> List() => _store.ListOwners(Platform)
        .Select(s => new RegistryLoginInfo(s.Name, s.Project == Platform ? null : s.Project[(Platform.Length + 1)..], s.UpdatedAt))
        .ToList();

    /// <summary>The login <paramref name="project"/> (null: the platform) saved for <paramref name="host"/>, or null to go anonymously.</summary>
    public RegistryLogin? For(string host, string? project)
    {
        var key = Host(host);
        if (_store.Resolve(Owner(project), Everywhere, [key]).Reveal().FirstOrDefault(v => v.Key == key).Value is not { } stored)
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

    private static string Owner(string? project) => project is null ? Platform : $"{Platform}:{project}";
}
