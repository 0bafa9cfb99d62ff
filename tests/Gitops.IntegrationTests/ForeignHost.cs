using System.Diagnostics;

namespace Gitops.IntegrationTests;

/// <summary>
/// Another machine on this host's network, as far as the firewall can tell: a network namespace
/// joined to the host by a veth pair on a /30 of its own (198.18.0.0/15, the benchmarking range).
/// Connections from it arrive on the host's end of the pair like any client's. Disposing removes both.
/// </summary>
internal sealed class ForeignHost : IDisposable
{
    private ForeignHost(string name, string hostAddress)
    {
        Name = name;
        HostAddress = hostAddress;
    }

    /// <summary>The namespace's name; the host's end of the pair is <see cref="HostInterface"/>.</summary>
    public string Name { get; }

    public string HostInterface => $"{Name}h";

    /// <summary>The host's address as the foreign host sees it.</summary>
    public string HostAddress { get; }

    public static ForeignHost Create()
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
        var name = $"pfw{id}";
        var octet = 1 + (System.Security.Cryptography.RandomNumberGenerator.GetInt32(250));
        var host = new ForeignHost(name, $"198.18.{octet}.1");
        Ip("netns", "add", name);
        Ip("link", "add", host.HostInterface, "type", "veth", "peer", "name", $"{name}n");
        Ip("link", "set", $"{name}n", "netns", name);
        Ip("addr", "add", $"198.18.{octet}.1/30", "dev", host.HostInterface);
        Ip("link", "set", host.HostInterface, "up");
        Ip("netns", "exec", name, "ip", "addr", "add", $"198.18.{octet}.2/30", "dev", $"{name}n");
        Ip("netns", "exec", name, "ip", "link", "set", $"{name}n", "up");
        return host;
    }

    /// <summary>Whether a TCP connection from the foreign host to this host's <paramref name="port"/> opens (2 s timeout).</summary>
    public async Task<bool> ConnectsAsync(int port)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "netns", "exec", Name, "busybox", "nc", "-w", "2", HostAddress, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // nc exits once connected: nothing to send
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    public void Dispose()
    {
        Run("link", "del", HostInterface); // takes its peer with it
        Run("netns", "del", Name);
    }

    private static void Ip(params string[] arguments)
    {
        var (code, error) = Run(arguments);
        Assert.True(code == 0, $"ip {string.Join(' ', arguments)}: {error}");
    }

    private static (int Code, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
