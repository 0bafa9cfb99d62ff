using Amazon.Runtime;

namespace Gitops.Providers.Aws;

/// <summary>
/// The AWS keys <c>paas target credentials NAME</c> keeps for an ecs target, in the shape
/// <c>aws configure export-credentials --format process</c> prints (the credential_process format):
/// <c>{"Version": 1, "AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …}</c>, the session token optional.
/// </summary>
internal static class StoredAwsKeys
{
    public const string Shape = "the JSON `aws configure export-credentials --format process` prints ({\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …})";

    /// <summary>What is wrong with the value, never quoting it; null when it holds a key pair.</summary>
    public static string? Problem(string value) => TryParse(value, out _, out var problem) ? null : problem;

    public static AWSCredentials Parse(string value, string target) =>
        TryParse(value, out var credentials, out var problem)
            ? credentials
            : throw new Engine.Targets.TargetUnavailableException($"ecs target '{target}': its stored credentials are not usable ({problem}); store them again: paas target credentials {target}");

    private static bool TryParse(string value, out AWSCredentials credentials, out string problem)
    {
        credentials = null!;
        if (Engine.Targets.TargetCredentials.JsonFields(value, Shape, out problem) is not { } field)
        {
            return false;
        }

        var (id, secret, token) = (field("AccessKeyId"), field("SecretAccessKey"), field("SessionToken"));
        if (id is null || secret is null)
        {
            problem = $"{(id is null ? "AccessKeyId" : "SecretAccessKey")} is missing: give {Shape}";
            return false;
        }

        credentials = token is null ? new BasicAWSCredentials(id, secret) : new SessionAWSCredentials(id, secret, token);
        return true;
    }
}
