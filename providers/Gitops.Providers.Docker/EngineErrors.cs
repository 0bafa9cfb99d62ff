using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// The engine's errors translated at the driver's boundary into the engine's neutral ones
/// (<see cref="TargetException"/>), so nothing above the provider knows Docker.DotNet.
/// </summary>
internal static class EngineErrors
{
    public static async Task<T> Guard<T>(EngineEndpoint engine, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(engine, e) is { } neutral)
        {
            throw neutral;
        }
    }

    public static Task Guard(EngineEndpoint engine, Func<Task> call) =>
        Guard(engine, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    private static TargetException? Translate(EngineEndpoint engine, Exception e) => e switch
    {
        TargetException => null,
        PolicyViolationException => new TargetRefusedException(e.Message, e),
        DockerApiException { StatusCode: HttpStatusCode.Conflict } api => new TargetConflictException($"{engine}: {Message(api)}", e),
        DockerApiException api => new TargetRefusedException($"{engine} {((int)api.StatusCode >= 500 ? "failed" : "refused")}: {Message(api)}", e),
        HttpRequestException or IOException or SocketException or TimeoutException => new TargetUnavailableException($"{engine} does not answer: {e.Message}", e),
        _ => null,
    };

    private static string Message(DockerApiException e) => string.IsNullOrWhiteSpace(e.ResponseBody) ? e.Message : e.ResponseBody.Trim();
}
