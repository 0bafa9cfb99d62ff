using Gitops.Engine.Firewall;
using Gitops.Engine.Targets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// Keeps platform.yaml's host firewall applied: at start, then every few seconds, the host's table is
/// read back and replaced when it differs (removed by hand, flushed, lost with a reboot), and the
/// repair is logged with what it changed. Without <c>firewall:</c> the host's firewall is left alone.
/// </summary>
public sealed class FirewallKeeper(PlatformConfig platform, ServerOptions options, ILogger<FirewallKeeper> logger) : BackgroundService
{
    /// <summary>At most this long between checks, whatever the repository poll interval.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (platform.Firewall is not { } config)
        {
            return;
        }

        var interval = options.PollInterval < MaxInterval ? options.PollInterval : MaxInterval;
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var changes = await HostFirewall.EnsureAsync(config, stoppingToken).ConfigureAwait(false);
                if (changes.Count > 0)
                {
                    Log.FirewallApplied(logger, first ? "applied" : "repaired (the host's rules had changed)", changes.Count, string.Join("; ", changes));
                }
            }
            catch (InvalidOperationException e)
            {
                Log.FirewallFailed(logger, e.Message);
            }

            first = false;
            try
            {
                await Task.Delay(interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
