using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Server.Tests;

/// <summary>
/// Webhook verification on a real state file, without a server: each forge's signature or token
/// is accepted only when it is right for the exact body and the project's secret, a project
/// without a webhook is refused, and a delivery is accepted once.
/// </summary>
public sealed class WebhookVerificationTests : IDisposable
{
    private const string Secret = "webhook-secret-of-shop";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main"}""");

    private readonly string _directory = Directory.CreateTempSubdirectory("paas-webhooks-").FullName;
    private readonly StateStore _state;
    private readonly Webhooks _webhooks;

    public WebhookVerificationTests()
    {
        _state = StateStore.Open(_directory);
        _webhooks = new Webhooks(new SecretStore(_state), new WebhookDeliveries(_state));
        _webhooks.SetSecret("shop", Secret);
    }

    [Fact]
    public void A_github_delivery_signed_with_the_project_secret_is_accepted() =>
        Assert.Null(_webhooks.Verify("shop", GitHub("sha256=" + Sign(Secret, Body), "d1"), Body));

    [Fact]
    public void A_gitea_delivery_signed_with_the_project_secret_is_accepted() =>
        Assert.Null(_webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitea-Signature"] = Sign(Secret, Body), ["X-Gitea-Delivery"] = "d1" }, Body));

    [Fact]
    public void A_gitlab_delivery_with_the_project_token_is_accepted() =>
        Assert.Null(_webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitlab-Token"] = Secret, ["X-Gitlab-Event-UUID"] = "d1" }, Body));

    [Theory]
    [InlineData("sha256={other-secret}")]
    [InlineData("sha256={other-body}")]
    [InlineData("{right}")]
    [InlineData("sha1={right}")]
    [InlineData("sha256=")]
    [InlineData("sha256=not-hex")]
    [InlineData("sha256={right}00")]
    [InlineData("")]
    public void A_github_signature_that_is_not_the_hmac_of_this_body_with_this_secret_is_refused(string shape)
    {
        var signature = shape
            .Replace("{other-secret}", Sign("another-secret", Body), StringComparison.Ordinal)
            .Replace("{other-body}", Sign(Secret, Encoding.UTF8.GetBytes("{}")), StringComparison.Ordinal)
            .Replace("{right}", Sign(Secret, Body), StringComparison.Ordinal);

        Assert.Equal("missing or wrong signature", _webhooks.Verify("shop", GitHub(signature, "d1"), Body));
        Assert.Null(_webhooks.Verify("shop", GitHub("sha256=" + Sign(Secret, Body), "d1"), Body)); // refusing it recorded nothing
    }

    [Theory]
    [InlineData("another-secret", null)]
    [InlineData(Secret, "{}")]
    public void A_gitea_signature_for_another_secret_or_body_is_refused(string secret, string? body)
    {
        var signed = body is null ? Body : Encoding.UTF8.GetBytes(body);

        Assert.Equal("missing or wrong signature", _webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitea-Signature"] = Sign(secret, signed) }, Body));
        Assert.Equal("missing or wrong signature", _webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitea-Signature"] = "sha256=" + Sign(Secret, Body) }, Body)); // GitHub's prefix is not Gitea's form
    }

    [Theory]
    [InlineData("another-secret")]
    [InlineData("webhook-secret-of-sho")]
    [InlineData("")]
    public void A_gitlab_token_that_is_not_the_project_secret_is_refused(string token) =>
        Assert.Equal("missing or wrong signature", _webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitlab-Token"] = token }, Body));

    [Fact]
    public void A_delivery_without_any_signature_header_is_refused() =>
        Assert.Equal("missing or wrong signature", _webhooks.Verify("shop", new Dictionary<string, string> { ["X-GitHub-Delivery"] = "d1" }, Body));

    [Fact]
    public void A_wrong_github_signature_is_not_rescued_by_a_right_gitea_one_or_gitlab_token()
    {
        var headers = new Dictionary<string, string>
        {
            ["X-Hub-Signature-256"] = "sha256=" + Sign("another-secret", Body),
            ["X-Gitea-Signature"] = Sign(Secret, Body),
            ["X-Gitlab-Token"] = Secret,
        };

        Assert.Equal("missing or wrong signature", _webhooks.Verify("shop", headers, Body));
    }

    [Fact]
    public void A_project_without_a_webhook_secret_is_refused_whatever_is_presented()
    {
        Assert.Equal("no webhook is configured for this project", _webhooks.Verify("web", GitHub("sha256=" + Sign(Secret, Body), "d1"), Body));
        Assert.Equal("no webhook is configured for this project", _webhooks.Verify("web", new Dictionary<string, string> { ["X-Gitlab-Token"] = "" }, Body));
        Assert.Equal("no webhook is configured for this project", _webhooks.Verify("web", new Dictionary<string, string>(), Body));
    }

    [Fact]
    public void Another_projects_secret_does_not_sign_for_this_one()
    {
        _webhooks.SetSecret("web", "webhook-secret-of-web");

        Assert.Equal("missing or wrong signature", _webhooks.Verify("web", GitHub("sha256=" + Sign(Secret, Body), "d1"), Body));
        Assert.Null(_webhooks.Verify("web", GitHub("sha256=" + Sign("webhook-secret-of-web", Body), "d1"), Body));
    }

    [Fact]
    public void A_replayed_github_delivery_is_refused_by_its_body_even_under_a_new_id()
    {
        Assert.Null(_webhooks.Verify("shop", GitHub("sha256=" + Sign(Secret, Body), "d1"), Body));

        Assert.Equal("this delivery (its id or its body) was seen before (replay)", _webhooks.Verify("shop", GitHub("sha256=" + Sign(Secret, Body), "d1"), Body));
        Assert.Equal("this delivery (its id or its body) was seen before (replay)", _webhooks.Verify("shop", GitHub("sha256=" + Sign(Secret, Body), "d2"), Body));
    }

    [Theory]
    [InlineData("X-GitHub-Delivery")]
    [InlineData("X-Gitea-Delivery")]
    [InlineData("X-Gitlab-Event-UUID")]
    public void A_delivery_id_seen_before_is_refused_with_a_new_body(string idHeader)
    {
        var other = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/dev"}""");
        Assert.Null(_webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitlab-Token"] = Secret, [idHeader] = "d1" }, Body));

        Assert.Equal("this delivery (its id or its body) was seen before (replay)", _webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitlab-Token"] = Secret, [idHeader] = "d1" }, other));
        Assert.Null(_webhooks.Verify("shop", new Dictionary<string, string> { ["X-Gitlab-Token"] = Secret, [idHeader] = "d2" }, other));
    }

    [Fact]
    public void A_delivery_carrying_several_id_headers_is_known_by_githubs_then_giteas_then_gitlabs()
    {
        Dictionary<string, string> Headers(params (string Name, string Value)[] ids)
        {
            var headers = new Dictionary<string, string> { ["X-Gitlab-Token"] = Secret };
            foreach (var (name, value) in ids)
            {
                headers[name] = value;
            }

            return headers;
        }

        byte[] Push(string branch) => Encoding.UTF8.GetBytes($$"""{"ref":"refs/heads/{{branch}}"}""");

        Assert.Null(_webhooks.Verify("shop", Headers(("X-GitHub-Delivery", "a"), ("X-Gitea-Delivery", "b"), ("X-Gitlab-Event-UUID", "c")), Push("one")));
        Assert.Equal("this delivery (its id or its body) was seen before (replay)", _webhooks.Verify("shop", Headers(("X-GitHub-Delivery", "a")), Push("two")));
        Assert.Null(_webhooks.Verify("shop", Headers(("X-Gitea-Delivery", "b")), Push("three"))); // only GitHub's id was recorded

        Assert.Null(_webhooks.Verify("shop", Headers(("X-Gitea-Delivery", "d"), ("X-Gitlab-Event-UUID", "e")), Push("four")));
        Assert.Equal("this delivery (its id or its body) was seen before (replay)", _webhooks.Verify("shop", Headers(("X-Gitea-Delivery", "d")), Push("five")));
        Assert.Null(_webhooks.Verify("shop", Headers(("X-Gitlab-Event-UUID", "e")), Push("six")));
    }

    [Fact]
    public void A_missing_body_is_an_argument_error_even_for_a_project_without_a_webhook() =>
        Assert.Throws<ArgumentNullException>(() => _webhooks.Verify("web", new Dictionary<string, string>(), null!));

    [Fact]
    public void A_refused_delivery_is_not_remembered()
    {
        Assert.NotNull(_webhooks.Verify("shop", GitHub("sha256=" + Sign("another-secret", Body), "d1"), Body));

        Assert.Null(_webhooks.Verify("shop", GitHub("sha256=" + Sign(Secret, Body), "d1"), Body));
    }

    [Fact]
    public void Missing_headers_or_body_are_argument_errors()
    {
        Assert.Throws<ArgumentNullException>(() => _webhooks.Verify("shop", null!, Body));
        Assert.Throws<ArgumentNullException>(() => _webhooks.Verify("shop", GitHub("sha256=" + Sign(Secret, Body), "d1"), null!));
    }

    public void Dispose()
    {
        _state.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static Dictionary<string, string> GitHub(string signature, string delivery) =>
        new() { ["X-Hub-Signature-256"] = signature, ["X-GitHub-Delivery"] = delivery };

    private static string Sign(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
