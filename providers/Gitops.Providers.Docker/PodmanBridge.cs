using System.Diagnostics;
using System.Net.NetworkInformation;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// Gives a Podman network's bridge a fixed MAC address, as Docker does for its own bridges.
/// netavark 1.4 (Debian 12) leaves it to the kernel, which gives a bridge the lowest MAC of its
/// ports, so a container joining or leaving can change it (measured: 2 changes in 6 joins). The
/// containers then keep a stale ARP entry for the gateway, which is where the ingress and the
/// health checks talk from: once the port owning that MAC leaves (a replaced or failed replica),
/// their answers go nowhere and requests hang until ARP expires (measured: 16 of 1,471 requests
/// through Caddy timed out while a broken version's replica was removed). Pinning the current
/// address, right after a container starts, ends the changes without disturbing any ARP cache.
/// </summary>
internal static class PodmanBridge
{
    /// <summary>The kernel's <c>addr_assign_type</c> for an address set from user space.</summary>
    private const string SetByUser = "3";

    /// <summary>
    /// The interface holding the address. .NET's listing reads every interface while other networks'
    /// veths come and go, and then may throw "An invalid IP address was specified" (seen once in a
    /// full suite on Podman): a listing that failed that way is taken again.
    /// </summary>
    private static Task<NetworkInterface?> InterfaceWithAsync(string address, CancellationToken cancellationToken) =>
        Retry.RunAsync(
            _ => Task.FromResult(NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(i => i.GetIPProperties().UnicastAddresses.Any(a => a.Address.ToString() == address))),
            e => e is ArgumentException or NetworkInformationException,
            cancellationToken);

    public static async Task PinAddressAsync(string gateway, CancellationToken cancellationToken)
    {
        var bridge = await InterfaceWithAsync(gateway, cancellationToken).ConfigureAwait(false);
        if (bridge is null)
        {
            return; // no container has joined yet: netavark makes the bridge with the first one
        }

        var assignType = Path.Combine("/sys/class/net", bridge.Name, "addr_assign_type");
        if (!File.Exists(assignType) || (await File.ReadAllTextAsync(assignType, cancellationToken).ConfigureAwait(false)).Trim() == SetByUser)
        {
            return;
        }

        var mac = string.Join(':', bridge.GetPhysicalAddress().GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "link", "set", "dev", bridge.Name, "address", mac })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ip did not start");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"fixing the MAC address of bridge {bridge.Name} failed: ip exited {process.ExitCode}: {(await error.ConfigureAwait(false)).Trim()}");
        }
    }
}
