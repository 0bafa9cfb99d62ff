using System.Diagnostics;

namespace Gitops.Providers.Docker;

/// <summary>
/// Keeps Podman networks of different environments apart with the platform's own firewall rules.
/// Podman's <c>isolate</c> option is not enough on its own: netavark 1.4 (Debian 12) deletes its
/// <c>FORWARD -j NETAVARK_ISOLATION_1</c> jump whenever any isolated network is torn down, which
/// silently reconnects every other one (measured: three isolated networks, one removed, the other
/// two reach each other). So each platform network also gets, in a chain of the platform's that
/// nothing else removes: drop what leaves its subnet for another Podman bridge (<c>podman+</c>).
/// Traffic inside the network, to the host (the ingress) and to the outside is untouched.
/// The engine is local (a Unix socket), so its firewall is this machine's.
/// </summary>
internal static class PodmanIsolation
{
    public const string Chain = "PAAS-ISOLATION";

    /// <summary>Idempotent: the chain, the jump from FORWARD and the network's rule exist afterwards.</summary>
    public static async Task EnsureAsync(string subnet, CancellationToken cancellationToken)
    {
        if (await IptablesAsync(cancellationToken, "-n", "-L", Chain) != 0)
        {
            await RequireAsync(cancellationToken, "-N", Chain);
        }

        if (await IptablesAsync(cancellationToken, "-C", "FORWARD", "-j", Chain) != 0)
        {
            await RequireAsync(cancellationToken, "-I", "FORWARD", "1", "-j", Chain);
        }

        if (await IptablesAsync(cancellationToken, ["-C", Chain, .. Rule(subnet)]) != 0)
        {
            await RequireAsync(cancellationToken, ["-A", Chain, .. Rule(subnet)]);
        }
    }

    public static async Task RemoveAsync(string subnet, CancellationToken cancellationToken)
    {
        while (await IptablesAsync(cancellationToken, ["-D", Chain, .. Rule(subnet)]) == 0)
        {
            // A rule added twice (two processes at once) goes with it.
        }
    }

    private static string[] Rule(string subnet) => ["-s", subnet, "!", "-d", subnet, "-o", "podman+", "-j", "DROP"];

    private static async Task RequireAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var code = await IptablesAsync(cancellationToken, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"isolating the network failed: iptables {string.Join(' ', arguments)} exited {code}");
        }
    }

    /// <returns>iptables' exit code (0: done, or the rule/chain exists for -C/-L).</returns>
    private static async Task<int> IptablesAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("iptables") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-w"); // wait for the xtables lock instead of failing beside netavark or dockerd
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("iptables did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("isolating Podman networks needs iptables (apt-get install iptables)", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(output, error).ConfigureAwait(false);
            return process.ExitCode;
        }
    }
}
