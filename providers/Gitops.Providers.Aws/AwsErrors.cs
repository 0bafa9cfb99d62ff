using Gitops.Engine.Targets;
using Gitops.Providers.Aws.Api;

namespace Gitops.Providers.Aws;

/// <summary>
/// AWS's errors as the engine's (<see cref="TargetException"/>), at the driver's boundary: what
/// still fails after the retries is unavailable (throttling, 5xx, no connection) or refused (4xx).
/// The message is AWS's answer; no request, header or credential is ever part of it.
/// </summary>
internal static class AwsErrors
{
    public static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Transient)
        {
            throw new TargetUnavailableException($"{e.Message}; tried several times", e);
        }
        catch (AwsApiException e)
        {
            throw new TargetRefusedException(e.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new TargetUnavailableException($"AWS does not answer: {e.Message}", e);
        }
    }

    public static Task Guard(Func<Task> call) => Guard(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });
}
