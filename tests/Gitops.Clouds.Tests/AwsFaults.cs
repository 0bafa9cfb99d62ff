using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Gitops.Clouds.Tests;

/// <summary>
/// AWS's failures on the wire, under the signer (the transport's <c>inner</c> factory): for the
/// named actions, the first answers are the given errors (throttling, a server failure, a refusal)
/// in AWS's JSON error shape (REST-JSON's for EventBridge Scheduler, whose actions are named
/// <c>VERB /first-path-segment</c>), and never reach moto; every other request passes to moto. Counts
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
            var rest = Rest(request);
            var action = request.Headers.TryGetValues("X-Amz-Target", out var target) ? target.Single().Split('.').Last()
                : rest is not null ? rest
                : request.Content is null ? "" : System.Web.HttpUtility.ParseQueryString(await request.Content.ReadAsStringAsync(cancellationToken))["Action"] ?? "";
            var attempt = owner._attempts.AddOrUpdate(action, 1, (_, n) => n + 1);
            if (owner.Faults(action) is { } answers && attempt <= answers.Length)
            {
                var (status, code) = answers[attempt - 1];
                if (rest is not null)
                {
                    // REST-JSON (EventBridge Scheduler): the error's name in X-Amzn-ErrorType, its message in the body.
                    var answer = new HttpResponseMessage(status) { Content = new StringContent($"{{\"Message\":\"injected {code} for {action} (attempt {attempt})\"}}", Encoding.UTF8, "application/json") };
                    answer.Headers.TryAddWithoutValidation("X-Amzn-ErrorType", code);
                    return answer;
                }

                return new HttpResponseMessage(status)
                {
                    Content = new StringContent($"{{\"__type\":\"{code}\",\"message\":\"injected {code} for {action} (attempt {attempt})\"}}", Encoding.UTF8, "application/x-amz-json-1.1"),
                };
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A REST-JSON call's action as the verb and the path's first segment (<c>POST /schedules</c>); null for the other protocols.</summary>
    private static string? Rest(HttpRequestMessage request) =>
        request.RequestUri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var first, ..] && first is "schedules" or "schedule-groups" or "tags"
            ? $"{request.Method.Method} /{first}"
            : null;

    private (HttpStatusCode, string)[]? Faults(string action) => faults.TryGetValue(action, out var answers) ? answers : null;
}
