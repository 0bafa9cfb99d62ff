namespace Gitops.Providers.Caddy;

/// <summary>
/// Where Caddy runs: a process on this machine or a container on a target's engine. Either way it
/// reads the same configuration file and keeps its state in the same data directory (a container
/// sees that directory at the same path), so the ingress above it does not know which.
/// </summary>
internal interface ICaddyHost
{
    /// <summary>
    /// Starts Caddy with <paramref name="configFile"/> unless it runs already; its own state (pid,
    /// autosave, output) in <paramref name="state"/>, inside <paramref name="directory"/>, which it may
    /// read and write. <paramref name="resume"/>: its autosaved configuration wins over the file.
    /// </summary>
    Task StartAsync(string directory, string state, string configFile, bool resume, CancellationToken cancellationToken);

    /// <summary>Stops it and removes what <see cref="StartAsync"/> left behind; one not running is fine.</summary>
    Task RemoveAsync(string state, CancellationToken cancellationToken);

    /// <summary>Where to look when Caddy does not come up.</summary>
    string Diagnostics(string state);
}
