using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Gitops.Engine.Secrets;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Model;

namespace Gitops.Engine.Backups;

/// <summary>
/// The destinations of platform.yaml's <c>backups:</c>, opened by name. <c>local</c> always exists:
/// <c>DATA_DIR/backups</c> unless the file says where. S3 keys are in the encrypted store under an
/// owner no project can be named (<c>paas backup credentials NAME</c>), else the AWS chain.
/// </summary>
/// <param name="secrets">Where S3 keys are kept; null on a machine without a state yet (a platform restore): then the AWS chain.</param>
public sealed class BackupDestinations(ValueMap<BackupDestinationConfig> configured, string dataDirectory, SecretStore? secrets)
{
    public const string Default = "local";
    public const string CredentialsOwner = "@backups";

    public IEnumerable<string> Names => configured.Keys.Append(Default).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    public IBackupDestination Open(string name)
    {
        if (!configured.TryGetValue(name, out var config))
        {
            return name == Default
                ? new LocalDestination(name, Path.Combine(dataDirectory, "backups"))
                : throw new KeyNotFoundException($"no backup destination '{name}'; destinations: {string.Join(", ", Names)}{Suggestions.Hint(name, Names)} (declare them under backups: in platform.yaml)");
        }

        return config.Kind switch
        {
            BackupDestinationKind.S3 => new S3Destination(name, config, Credentials(name)),
            _ => new LocalDestination(name, config.Path ?? Path.Combine(dataDirectory, "backups")),
        };
    }

    /// <summary>Stores an S3 destination's access key pair (the secret key never printed again).</summary>
    public void SetCredentials(string name, string accessKeyId, string secretAccessKey)
    {
        if (!configured.TryGetValue(name, out var config) || config.Kind != BackupDestinationKind.S3)
        {
            throw new KeyNotFoundException($"no s3 backup destination '{name}' in platform.yaml");
        }

        (secrets ?? throw new InvalidOperationException("no state to keep the keys in")).Set(CredentialsOwner, null, name, $"{accessKeyId}\n{secretAccessKey}");
    }

    private AWSCredentials Credentials(string name)
    {
        var stored = secrets?.Resolve(CredentialsOwner, SecretStore.AllEnvironments, [name]).Reveal().FirstOrDefault().Value;
        if (stored?.Split('\n', 2) is [var id, var key])
        {
            return new BasicAWSCredentials(id, key);
        }

        return DefaultAWSCredentialsIdentityResolver.GetCredentials(); // the environment, a profile, an instance role
    }

    /// <summary>What each destination must have, each with its <c>platform.yaml:line:column</c>.</summary>
    public static void Check(ValueMap<BackupDestinationConfig> destinations, SourceMap map, List<Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        void Problem(string at, string message) => problems.Add(new Diagnostic(ErrorCodes.Required, message, map.Locate(at), at));
        foreach (var (name, destination) in destinations)
        {
            var at = $"backups.{name}";
            if (!Schema.Validation.Grammar.Name().IsMatch(name))
            {
                Problem(at, $"backup destination name '{name}' must be lower-case letters, digits and '-', starting with a letter");
            }

            switch (destination.Kind)
            {
                case BackupDestinationKind.Local when destination.Path is not { } path || !System.IO.Path.IsPathFullyQualified(path):
                    Problem($"{at}.path", $"backup destination {name} needs path: an absolute directory");
                    break;
                case BackupDestinationKind.S3 when destination.Bucket is null:
                    Problem($"{at}.bucket", $"backup destination {name} needs bucket:");
                    break;
                case BackupDestinationKind.S3 when destination.Endpoint is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == "https" || (uri.Scheme == "http" && Notifications.Endpoint.IsThisMachine(uri.Host)))):
                    Problem($"{at}.endpoint", $"'{endpoint}' is not an https:// endpoint (http:// only to this machine)");
                    break;
            }
        }
    }
}
