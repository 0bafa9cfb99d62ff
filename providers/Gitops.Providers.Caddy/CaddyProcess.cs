using System.Diagnostics;

namespace Gitops.Providers.Caddy;

/// <summary>
/// Starts Caddy as a daemon of its own (it outlives the CLI run that started it, like dockerd):
/// <c>start-stop-daemon</c> detaches it and sends its output to a file in the data directory.
/// Argument lists only; Caddy's state (certificates, autosaved config) stays in the data directory.
/// </summary>
internal sealed class CaddyProcess : ICaddyHost
{
    public const string Binary = "/usr/bin/caddy";

    public Task StartAsync(string directory, string configFile, CancellationToken cancellationToken)
    {
        Start(directory, configFile);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public string Diagnostics(string directory) => Path.Combine(directory, "caddy.out");

    private static void Start(string directory, string configFile)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"the ingress needs Caddy ({Binary} is missing): apt-get install caddy");
        }

        var start = new ProcessStartInfo("start-stop-daemon")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--start", "--background", "--oknodo",
            "--pidfile", Path.Combine(directory, "caddy.pid"), "--make-pidfile",
            "--output", Path.Combine(directory, "caddy.out"),
            "--chdir", directory,
            "--exec", Binary, "--", "run", "--config", configFile, "--resume",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // Caddy keeps its autosaved config and data under XDG directories: those of the platform.
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(directory, "config");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(directory, "data");
        start.Environment["HOME"] = directory;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("start-stop-daemon did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"starting Caddy failed ({process.ExitCode}): {error.Trim()}");
        }
    }
}
