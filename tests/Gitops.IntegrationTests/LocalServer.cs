using System.Diagnostics;
using System.Net.Sockets;

namespace Gitops.IntegrationTests;

/// <summary>A server program a test runs on this machine: started with its arguments (no shell), ready once its port accepts.</summary>
internal static class LocalServer
{
    public static async Task<Process> StartAsync(string program, IEnumerable<string> arguments, int port)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(200))
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                // Not listening yet.
            }
        }
    }

    /// <summary>Stops it (and what it started) and waits until it is gone.</summary>
    public static void Stop(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process?.Dispose();
    }
}
