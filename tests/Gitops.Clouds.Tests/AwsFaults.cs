using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Gitops.Clouds.Tests;

/// <summary>
/// AWS's failures on the wire, under the signer (the transport's <c>inner</c> factory): for the
/// named actions, the first answers are the given errors (throttling, a server failure, a refusal)
/// in AWS's JSON error shape, and never reach moto; every other request passes to moto. Counts
/// each action's attempts.
/// </summary>
internal sealed class AwsFaults(IReadOnlyDictionary<string, (HttpStatusCode Status, string Code)[]> faults)
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

    public int Attempts(string action) => _attempts.GetValueOrDefault(action);

    public HttpMessageHandler Handler() => new Injecting(this);

    private sealed class Injecting(AwsFaults owner) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var action = request.Headers.TryGetValues("X-Amz-Target", out var target) ? target.Single().Split('.').Last()
                : request.Content is null ? "" : System.Web.HttpUtility.ParseQueryString(await request.Content.ReadAsStringAsync(cancellationToken))["Action"] ?? "";
            var attempt = owner._attempts.AddOrUpdate(action, 1, (_, n) => n + 1);
            if (owner.Faults(action) is { } answers && attempt <= answers.Length)
            {
                var (status, code) = answers[attempt - 1];
                return new HttpResponseMessage(status)
                {
                    Content = new StringContent($"{{\"__type\":\"{code}\",\"message\":\"injected {code} for {action} (attempt {attempt})\"}}", Encoding.UTF8, "application/x-amz-json-1.1"),
                };
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private (HttpStatusCode, string)[]? Faults(string action) => faults.TryGetValue(action, out var answers) ? answers : null;
}
