using System.Net;
using Docker.DotNet;

namespace Gitops.Providers.Docker;

/// <summary>
/// Retries engine calls that failed for a reason that passes (the daemon restarting, a socket
/// reset, a 5xx), with capped, jittered exponential backoff. Anything else fails at once.
/// </summary>
public static class TransientRetry
{
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, int attempts = 5)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var cap = Math.Min(5_000, 100 * (1 << attempt));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(cap / 2, cap)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static Task RunAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RunAsync(async token => { await call(token).ConfigureAwait(false); return true; }, cancellationToken);

    public static bool IsTransient(Exception e) => e switch
    {
        DockerApiException api => (int)api.StatusCode >= 500 && api.StatusCode != HttpStatusCode.NotImplemented,
        HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };
}
