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

    private static readonly string[] Resume = ["--resume"];

    public Task StartAsync(string directory, string state, string configFile, bool resume, CancellationToken cancellationToken)
    {
        Start(state, configFile, resume);
        return Task.CompletedTask;
    }

    /// <summary>A Caddy whose pid file is there is told to stop (TERM, then KILL after 5 s); none running is fine.</summary>
    public Task RemoveAsync(string state, CancellationToken cancellationToken)
    {
        Daemon("--stop", "--oknodo", "--retry", "TERM/5/KILL/2", "--pidfile", Path.Combine(state, "caddy.pid"), "--remove-pidfile");
        return Task.CompletedTask;
    }

    public string Diagnostics(string state) => Path.Combine(state, "caddy.out");

    private static void Start(string directory, string configFile, bool resume)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"the ingress needs Caddy ({Binary} is missing): apt-get install caddy");
        }

        Directory.CreateDirectory(directory);
        Daemon(
            [
                "--start", "--background", "--oknodo",
                "--pidfile", Path.Combine(directory, "caddy.pid"), "--make-pidfile",
                "--output", Path.Combine(directory, "caddy.out"),
                "--chdir", directory,
                "--exec", Binary, "--", "run", "--config", configFile, .. (resume ? Resume : []),
            ],
            directory);
    }

    private static void Daemon(params string[] arguments) => Daemon(arguments, null);

    private static void Daemon(string[] arguments, string? xdgHome)
    {
        var start = new ProcessStartInfo("start-stop-daemon")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (xdgHome is not null)
        {
            // Caddy keeps its autosaved config and data under XDG directories: those of the platform.
            start.Environment["XDG_CONFIG_HOME"] = Path.Combine(xdgHome, "config");
            start.Environment["XDG_DATA_HOME"] = Path.Combine(xdgHome, "data");
            start.Environment["HOME"] = xdgHome;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("start-stop-daemon did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{(arguments[0] == "--start" ? "starting" : "stopping")} Caddy failed ({process.ExitCode}): {error.Trim()}");
        }
    }
}
