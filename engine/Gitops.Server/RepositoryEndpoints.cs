using Gitops.Engine.Access;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Validation;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// Watched repositories through the server (the CLI's remote mode). Adding one places a new project
/// in an organization, so it is platform administration; removing one is the project's admins'.
/// </summary>
internal static class RepositoryEndpoints
{
    /// <param name="Credential">An https token: stored encrypted, never answered back or logged.</param>
    /// <param name="Username">The user name that goes with it (default: x-access-token, which GitHub, GitLab and Gitea accept).</param>
    /// <param name="SshKey">An ssh:// repository's deploy key (OpenSSH private key text, no passphrase): stored encrypted, never answered back or logged.</param>
    /// <param name="KnownHosts">The Git host's keys (ssh-keyscan lines); without them the first fetch's key is pinned.</param>
    public sealed record AddRequest(string? Url, string? Project, string? Organization, string? Credential = null, string? Username = null, string? SshKey = null, string? KnownHosts = null)
    {
        public override string ToString() => $"AddRequest {{ Url = {Url}, Project = {Project}, Organization = {Organization}, Credential = {(Credential is null ? "none" : "(hidden)")}, SshKey = {(SshKey is null ? "none" : "(hidden)")} }}";
    }

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/repositories", (HttpContext http, StateStore state) =>
            ApiEndpoints.Visible(http, state, new RepositoryRegistry(state).List(), r => r.Project)).SignedIn();
        api.MapPost("/repositories", Add).ForPlatform();
        api.MapDelete("/repositories/{project}", (StateStore state, string project) =>
            Results.Ok(new { project, removed = new RepositoryRegistry(state).Remove(project) })).OnProject(Role.Admin);
    }

    private static IResult Add(StateStore state, PlatformConfig platform, ReconcileQueue queue, AddRequest request)
    {
        if (request.Project is not { } project || !Grammar.Name().IsMatch(project))
        {
            return Results.BadRequest(new { error = $"project '{request.Project}': lower-case letters, digits and '-'" });
        }

        if (request.Organization is { } organization && !Grammar.Name().IsMatch(organization))
        {
            return Results.BadRequest(new { error = $"organization '{organization}': lower-case letters, digits and '-'" });
        }

        try
        {
            GitSource.CheckUrl(request.Url ?? "", platform.AllowFileUrls);
        }
        catch (RepositoryUrlException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }

        var (credential, refused) = Credential(request);
        if (refused is not null)
        {
            return Results.BadRequest(new { error = refused });
        }

        if (request.Username is { } user && (user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsControl)))
        {
            return Results.BadRequest(new { error = "username: no ':' or control characters" });
        }

        var registry = new RepositoryRegistry(state);
        if (registry.List().Any(r => r.Project == project))
        {
            return Results.Conflict(new { error = $"project '{project}' already has a watched repository (remove it first)" });
        }

        registry.Add(project, request.Url!, credential);
        if (request.Organization is { } placed)
        {
            new People(state).PlaceProject(project, placed);
        }

        queue.Enqueue(project); // its branches deploy now, not at the next poll
        return Results.Ok(new { project, url = request.Url, organization = request.Organization ?? People.DefaultOrganization, credential = credential is not null });
    }

    /// <summary>The request's credential (a token for https, a deploy key for ssh, required there, never both), or what is wrong with it.</summary>
    private static (RepositoryCredential? Credential, string? Refused) Credential(AddRequest request)
    {
        var ssh = request.Url!.StartsWith("ssh://", StringComparison.Ordinal);
        if (request.Credential is { } token)
        {
            return token.Length == 0 ? (null, "credential: empty")
                : !request.Url.StartsWith("https://", StringComparison.Ordinal) ? (null, "credential: a token is for an https:// URL (an ssh:// one takes \"sshKey\")")
                : request.SshKey is not null ? (null, "sshKey: a deploy key is for an ssh:// URL, without \"credential\"")
                : (new GitCredential(string.IsNullOrWhiteSpace(request.Username) ? GitCredential.DefaultUsername : request.Username, token), null);
        }

        if (request.SshKey is null)
        {
            return (null, ssh ? "sshKey: an ssh:// repository needs a deploy key of its own (the platform never lends a project the server's SSH keys)"
                : request.KnownHosts is not null ? "knownHosts: goes with sshKey" : null);
        }

        if (!ssh)
        {
            return (null, "sshKey: a deploy key is for an ssh:// URL, without \"credential\"");
        }

        try
        {
            return (SshKeyCredential.Parse(request.SshKey, request.KnownHosts), null);
        }
        catch (ArgumentException e)
        {
            return (null, $"sshKey: {e.Message}");
        }
    }
}
