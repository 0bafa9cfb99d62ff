using Gitops.Engine.Targets;

namespace Gitops.Providers.Gcp;

/// <summary>
/// The service-account key <c>paas target credentials NAME</c> keeps for a cloudrun target: the JSON
/// key file Google Cloud gives (<c>gcloud iam service-accounts keys create KEY.json --iam-account …</c>).
/// </summary>
internal static class StoredServiceAccountKey
{
    public const string Shape = "the JSON key file `gcloud iam service-accounts keys create` writes ({\"type\": \"service_account\", \"client_email\": …, \"private_key\": …})";

    /// <summary>What is wrong with the value, never quoting it; null when it is a service account's key.</summary>
    public static string? Problem(string value)
    {
        if (TargetCredentials.JsonFields(value, Shape, out var problem) is not { } field)
        {
            return problem;
        }

        return field("type") != "service_account" ? $"type is not \"service_account\": give {Shape}"
            : field("client_email") is null ? $"client_email is missing: give {Shape}"
            : field("private_key") is not { } key || !key.Contains("PRIVATE KEY-----", StringComparison.Ordinal) ? $"private_key is missing or not a PEM key: give {Shape}"
            : null;
    }
}
