using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gitops.Cli;

namespace Gitops.Benchmarks.Shared;

/// <summary>What the whole-flow benchmarks run: the CLI in-process, other tools as processes (argument lists, never a shell), and free ports.</summary>
internal static class Processes
{
    /// <summary>Runs <c>paas</c> on a data directory; a non-zero exit is an exception.</summary>
    public static void Paas(string data, params string[] arguments)
    {
        var code = PaasCli.Run([.. arguments, "--data-dir", data], CliConsole.Plain(TextWriter.Null, Console.Error), TextReader.Null);
        if (code != 0)
        {
            throw new InvalidOperationException($"paas {string.Join(' ', arguments)} exited {code}");
        }
    }

    public static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
