using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;

namespace Gitops.Providers.Gcp;

/// <summary>
/// Google's errors as the engine's (<see cref="TargetException"/>), at the driver's boundary: what
/// still fails after the retries is unavailable (429, 5xx, no connection), a conflict (etag) or
/// refused (4xx). The message is Google's answer; no request, header or token is ever part of it.
/// </summary>
internal static class CloudRunErrors
{
    public static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (e.Transient)
        {
            throw new TargetUnavailableException($"{e.Message}; tried {CloudRunTransport.Attempts} times", e);
        }
        catch (GoogleApiException e) when (e.Conflict)
        {
            throw new TargetConflictException(e.Message, e);
        }
        catch (GoogleApiException e)
        {
            throw new TargetRefusedException(e.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new TargetUnavailableException($"Cloud Run does not answer: {e.Message}", e);
        }
    }

    public static Task Guard(Func<Task> call) => Guard(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });
}
