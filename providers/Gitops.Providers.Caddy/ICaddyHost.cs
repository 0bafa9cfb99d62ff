namespace Gitops.Providers.Caddy;

/// <summary>
/// Where Caddy runs: a process on this machine or a container on a target's engine. Either way it
/// reads the same configuration file and keeps its state in the same data directory (a container
/// sees that directory at the same path), so the ingress above it does not know which.
/// </summary>
internal interface ICaddyHost
{
    /// <summary>Starts Caddy with <paramref name="configFile"/>, resuming its autosaved configuration.</summary>
    Task StartAsync(string directory, string configFile, CancellationToken cancellationToken);

    /// <summary>Removes what <see cref="StartAsync"/> left behind once Caddy has stopped (nothing for a process).</summary>
    Task RemoveAsync(CancellationToken cancellationToken);

    /// <summary>Where to look when Caddy does not come up.</summary>
    string Diagnostics(string directory);
}
