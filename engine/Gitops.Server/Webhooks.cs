using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Secrets;

namespace Gitops.Server;

/// <summary>
/// Verifies forge webhooks before anything else is done with them: GitHub's
/// <c>X-Hub-Signature-256</c> and Gitea's <c>X-Gitea-Signature</c> (HMAC-SHA256 of the raw body),
/// GitLab's <c>X-Gitlab-Token</c>; all compared in constant time. A verified webhook only enqueues
/// its repository: nothing in the payload (URLs, refs, paths) is ever used.
/// </summary>
public sealed class Webhooks(SecretStore secrets)
{
    /// <summary>Where a repository's webhook secret is kept: an environment no manifest can name.</summary>
    public const string SecretScope = "@webhook";
    public const string SecretName = "WEBHOOK_SECRET";

    private readonly Queue<string> _recentOrder = new();
    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void SetSecret(string project, string secret) => secrets.Set(project, SecretScope, SecretName, secret);

    /// <returns>Null when the webhook is genuine and new; otherwise why it is refused.</returns>
    public string? Verify(string project, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);
        var secret = secrets.Resolve(project, SecretScope, [SecretName]).Reveal().Select(p => p.Value).FirstOrDefault();
        if (secret is null)
        {
            return "no webhook is configured for this repository";
        }

        var key = Encoding.UTF8.GetBytes(secret);
        var genuine = headers.TryGetValue("X-Hub-Signature-256", out var github) ? HmacMatches(key, body, github, "sha256=")
            : headers.TryGetValue("X-Gitea-Signature", out var gitea) ? HmacMatches(key, body, gitea, "")
            : headers.TryGetValue("X-Gitlab-Token", out var gitlab) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(gitlab), key);
        if (!genuine)
        {
            return "missing or wrong signature";
        }

        var delivery = headers.GetValueOrDefault("X-GitHub-Delivery") ?? headers.GetValueOrDefault("X-Gitea-Delivery")
            ?? headers.GetValueOrDefault("X-Gitlab-Event-UUID") ?? Convert.ToHexStringLower(SHA256.HashData(body));
        return Remember($"{project}/{delivery}") ? null : "this delivery was seen before (replay)";
    }

    private static bool HmacMatches(byte[] key, byte[] body, string header, string prefix)
    {
        if (!header.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var expected = HMACSHA256.HashData(key, body);
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

    /// <summary>Keeps the last 10,000 deliveries, enough to refuse replays without growing forever.</summary>
    private bool Remember(string delivery)
    {
        using var _ = _gate.EnterScope();
        if (!_recent.Add(delivery))
        {
            return false;
        }

        _recentOrder.Enqueue(delivery);
        if (_recentOrder.Count > 10_000)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }

        return true;
    }
}
