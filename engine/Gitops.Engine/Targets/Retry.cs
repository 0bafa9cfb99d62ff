namespace Gitops.Engine.Targets;

/// <summary>
/// The platform's one retry policy for failures that pass (a daemon restarting, a socket reset, a
/// listing taken while interfaces change): up to <c>attempts</c> tries, with capped (5 s),
/// jittered exponential backoff from about 100 ms. Each provider says which of its errors are
/// transient; anything else, and the last failure, is thrown at once.
/// </summary>
public static class Retry
{
    public const int DefaultAttempts = 5;

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, Func<Exception, bool> transient, CancellationToken cancellationToken, int attempts = DefaultAttempts)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(transient);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < attempts && transient(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Half to all of min(5 s, 100 ms × 2^attempt): retries from many callers do not line up.</summary>
    public static TimeSpan Backoff(int attempt)
    {
        var cap = Math.Min(5_000, 100 * (1 << Math.Min(attempt, 16)));
        return TimeSpan.FromMilliseconds(Random.Shared.Next(cap / 2, cap));
    }
}
