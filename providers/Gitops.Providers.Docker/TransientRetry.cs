using System.Net;
using Docker.DotNet;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// Engine calls under the platform's one retry policy (<see cref="Retry"/>): what passes is the
/// daemon restarting, a socket reset, a 5xx. Anything else fails at once.
/// </summary>
public static class TransientRetry
{
    public static Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, int attempts = Retry.DefaultAttempts) =>
        Retry.RunAsync(call, IsTransient, cancellationToken, attempts);

    public static Task RunAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RunAsync(async token => { await call(token).ConfigureAwait(false); return true; }, cancellationToken);

    public static bool IsTransient(Exception e) => e switch
    {
        DockerApiException api => (int)api.StatusCode >= 500 && api.StatusCode != HttpStatusCode.NotImplemented,
        HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };
}
