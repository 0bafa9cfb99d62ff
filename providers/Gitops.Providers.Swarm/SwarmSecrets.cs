using System.Net;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Swarm;

/// <summary>
/// A service's secrets as Swarm secrets: the value goes from the platform's encrypted store to
/// the swarm's (encrypted in its Raft log, handed only to the nodes running a task that uses it)
/// and reaches the app as a file, <c>/run/secrets/NAME</c>, named in the variable <c>NAME_FILE</c>.
/// Never an environment variable: those show in <c>docker service inspect</c>.
/// </summary>
internal static class SwarmSecrets
{
    private const string SecretLabel = "paas.secret";

    /// <summary>Makes each secret's current value exist as a Swarm secret; returns name → Swarm secret ID.</summary>
    public static async Task<Dictionary<string, string>> EnsureAsync(DockerClient client, ServiceChange change, CancellationToken cancellationToken)
    {
        var spec = change.Node.Desired!.Spec;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        if (spec.Secrets.Count == 0)
        {
            return ids;
        }

        var values = (change.Secrets?.Reveal() ?? []).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var existing = await TransientRetry.RunAsync(client.Secrets.ListAsync, cancellationToken).ConfigureAwait(false);
        foreach (var secret in spec.Secrets)
        {
            var name = SwarmNames.Secret(change.Project, change.Environment, secret, spec.SecretVersions.GetValueOrDefault(secret) ?? "");
            if (existing.FirstOrDefault(s => s.Spec?.Name == name) is { } found)
            {
                ids[secret] = Ownership.Refusal("Swarm secret", name, found.Spec.Labels, change.Project, change.Environment) is { } refusal
                    ? throw new TargetConflictException(refusal)
                    : found.ID;
                continue;
            }

            if (!values.TryGetValue(secret, out var value))
            {
                throw new TargetRefusedException($"service {change.Node.Name}: secret {secret} has no value for environment {change.Environment} (set it with paas secret set)");
            }

            var labels = Labels.For(change.Project, change.Environment);
            labels[SecretLabel] = secret;
            try
            {
                var created = await TransientRetry.RunAsync(t => client.Secrets.CreateAsync(new SwarmSecretSpec { Name = name, Labels = labels, Data = Encoding.UTF8.GetBytes(value) }, t), cancellationToken).ConfigureAwait(false);
                ids[secret] = created.ID;
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // Made meanwhile by a concurrent apply: used only if it is ours.
                var again = (await client.Secrets.ListAsync(cancellationToken).ConfigureAwait(false)).First(s => s.Spec?.Name == name);
                ids[secret] = Ownership.Refusal("Swarm secret", name, again.Spec.Labels, change.Project, change.Environment) is { } refusal
                    ? throw new TargetConflictException(refusal)
                    : again.ID;
            }
        }

        return ids;
    }

    /// <summary>Removes the environment's Swarm secrets that no service uses any more (one in use is refused by Swarm and stays).</summary>
    public static async Task RemoveUnusedAsync(DockerClient client, string project, string environment, IReadOnlyCollection<string> keep, CancellationToken cancellationToken)
    {
        foreach (var secret in (await client.Secrets.ListAsync(cancellationToken).ConfigureAwait(false)).Where(s => Ownership.Owns(s.Spec?.Labels, project, environment) && !keep.Contains(s.ID)))
        {
            try
            {
                await client.Secrets.DeleteAsync(secret.ID, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.InternalServerError)
            {
                // In use by a task still stopping, or gone already: the next destroy or secret change removes it.
            }
        }
    }
}
