using System.Text;
using Docker.DotNet;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// A health check's command (<c>health.command</c>) run in the replica through the engine's exec
/// API: healthy when it exits 0 within the check's timeout. The end of its output is the detail,
/// as <c>docker inspect</c> keeps a HEALTHCHECK's.
/// </summary>
internal static class CommandProbe
{
    private const int DetailLength = 200;

    public static async Task<(bool Ok, string Detail)> RunAsync(DockerClient client, EngineEndpoint endpoint, string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await using var session = await EngineExec.StartAsync(client, endpoint, container, container, new ExecRequest("", "", "", null, command, Tty: false), limit.Token).ConfigureAwait(false);
            await session.CloseInputAsync(limit.Token).ConfigureAwait(false);
            var output = new StringBuilder();
            var buffer = new byte[4096];
            while (await session.ReadAsync(buffer, limit.Token).ConfigureAwait(false) is { } read)
            {
                output.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
                if (output.Length > 4 * DetailLength)
                {
                    output.Remove(0, output.Length - DetailLength);
                }
            }

            var code = await session.ExitCodeAsync(limit.Token).ConfigureAwait(false);
            var text = output.ToString().Trim();
            text = text.Length > DetailLength ? "…" + text[^DetailLength..] : text;
            return (code == 0, text.Length == 0 ? $"{command[0]} exited {code}" : $"{command[0]} exited {code}: {text.ReplaceLineEndings(" ")}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{command[0]} did not end within {timeout.TotalSeconds:0.#} s"));
        }
        catch (TargetException e)
        {
            return (false, $"{command[0]} could not run: {e.Message}"); // e.g. the replica stopped in between
        }
    }
}
