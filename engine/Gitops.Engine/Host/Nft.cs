using System.Diagnostics;

namespace Gitops.Engine.Host;

/// <summary>
/// Runs <c>nft</c>, the nftables command, with an argument list and a script on standard input (never
/// a shell). The platform keeps its rules in tables of its own: container network walls and the host
/// firewall.
/// </summary>
public static class Nft
{
    /// <summary>Runs nft; its exit code and what it wrote. A missing nft is an error saying how to install it.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string? input, CancellationToken cancellationToken, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo("nft") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("nft did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("the platform's firewall rules need nft (apt-get install nftables)", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardInput.WriteAsync(input ?? "").ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
    }

    /// <summary>Runs nft and throws, saying what <paramref name="doing"/> failed, unless it succeeds.</summary>
    public static async Task RequireAsync(string doing, string input, CancellationToken cancellationToken, params string[] arguments)
    {
        var (code, _, error) = await RunAsync(input, cancellationToken, arguments).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"{doing} failed: nft exited {code}: {error.Trim()}");
        }
    }
}
