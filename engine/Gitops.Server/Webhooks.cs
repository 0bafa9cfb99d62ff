using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Secrets;

namespace Gitops.Server;

/// <summary>
/// Verifies forge webhooks before anything else is done with them: GitHub's
/// <c>X-Hub-Signature-256</c> and Gitea's <c>X-Gitea-Signature</c> (HMAC-SHA256 of the raw body),
/// GitLab's <c>X-Gitlab-Token</c>; all compared in constant time. A verified webhook enqueues its
/// repository; no URL, ref or path in the payload is ever used. A pull request event gives only
/// its number, action, target branch (a key into the branches fetched from the registered URL)
/// and whether it comes from a fork (see <see cref="Gitops.Engine.Previews.PullRequestEvent"/>). A project without a
/// webhook (or that does not exist) is refused exactly like a wrong signature, after the same
/// HMAC work, so the endpoint does not tell which projects exist. A genuine delivery is accepted
/// once: its id and its body are remembered (see <see cref="WebhookDeliveries"/>).
/// </summary>
public sealed class Webhooks(SecretStore secrets, WebhookDeliveries deliveries)
{
    /// <summary>Where a repository's webhook secret is kept: an environment no manifest can name.</summary>
    public const string SecretScope = "@webhook";
    public const string SecretName = "WEBHOOK_SECRET";

    /// <summary>The one answer to every refused webhook (unknown project, wrong signature, replay).</summary>
    public const string Refused = "missing or wrong signature, or a delivery seen before";

    // Stands in for the secret of a project that has none, so its refusal costs the same HMAC.
    private static readonly byte[] NoSecret = RandomNumberGenerator.GetBytes(32);

    public void SetSecret(string project, string secret) => secrets.Set(project, SecretScope, SecretName, secret);

    /// <returns>Null when the webhook is genuine and new; otherwise why it is refused (for the server log only: callers answer <see cref="Refused"/>).</returns>
    public string? Verify(string project, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);
        var secret = secrets.Resolve(project, SecretScope, [SecretName]).Reveal().Select(p => p.Value).FirstOrDefault();
        var key = secret is null ? NoSecret : Encoding.UTF8.GetBytes(secret);
        var genuine = headers.TryGetValue("X-Hub-Signature-256", out var github) ? HmacMatches(key, body, github, "sha256=")
            : headers.TryGetValue("X-Gitea-Signature", out var gitea) ? HmacMatches(key, body, gitea, "")
            : headers.TryGetValue("X-Gitlab-Token", out var gitlab) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(gitlab), key);
        if (secret is null)
        {
            return "no webhook is configured for this project";
        }

        if (!genuine)
        {
            return "missing or wrong signature";
        }

        var delivery = headers.GetValueOrDefault("X-GitHub-Delivery") ?? headers.GetValueOrDefault("X-Gitea-Delivery") ?? headers.GetValueOrDefault("X-Gitlab-Event-UUID");
        return deliveries.TryRecord(project, delivery, Convert.ToHexStringLower(SHA256.HashData(body)))
            ? null
            : "this delivery (its id or its body) was seen before (replay)";
    }

    private static bool HmacMatches(byte[] key, byte[] body, string header, string prefix)
    {
        var expected = HMACSHA256.HashData(key, body); // computed before any early answer: the work does not depend on the header
        if (!header.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header[prefix.Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
