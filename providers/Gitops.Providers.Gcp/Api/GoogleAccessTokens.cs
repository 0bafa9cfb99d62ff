using Google.Apis.Auth.OAuth2;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// Access tokens for the Cloud Run Admin API from a service-account key (Google.Apis.Auth signs the
/// JWT assertion and exchanges it at the key's <c>token_uri</c>, caching the token until it nears
/// expiry). The key is read through the seam on first use; it and the tokens stay in here: no
/// message, log line or exception carries them.
/// </summary>
public sealed class GoogleAccessTokens(Func<string?> serviceAccountJson)
{
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    private readonly Lazy<ServiceAccountCredential> _credential = new(() => Load(serviceAccountJson), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The key's <c>client_email</c> (who the platform signs in as): Cloud Scheduler's caller unless the target names another.</summary>
    public string ClientEmail => _credential.Value.Id;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _credential.Value.GetAccessTokenForRequestAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (Google.Apis.Auth.OAuth2.Responses.TokenResponseException e)
        {
            // The token endpoint's own words (its error code and description), never the assertion.
            throw new TargetRefusedException($"cloudrun target: the service account's token request was refused: {e.Error?.Error}: {e.Error?.ErrorDescription}", e);
        }
    }

    private static ServiceAccountCredential Load(Func<string?> serviceAccountJson)
    {
        var json = serviceAccountJson() ?? throw new TargetUnavailableException("cloudrun target: no service-account key (set GOOGLE_APPLICATION_CREDENTIALS to the key file's path)");
        ServiceAccountCredential credential;
        try
        {
            credential = CredentialFactory.FromJson<ServiceAccountCredential>(json);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or Newtonsoft.Json.JsonException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Not the parser's message: it may quote the key.
            throw new TargetUnavailableException($"cloudrun target: the service-account key is not a service_account JSON key Google.Apis.Auth can read ({e.GetType().Name})");
        }

        return (ServiceAccountCredential)credential.ToGoogleCredential().CreateScoped(Scope).UnderlyingCredential;
    }
}
