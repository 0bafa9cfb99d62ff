using System.Diagnostics;

namespace Gitops.IntegrationTests;

/// <summary>Runs the real `paas` binary as its own process, for tests that kill it.</summary>
internal static class PaasProcess
{
    /// <summary>
    /// Runs paas with <paramref name="arguments"/> (and PAAS_TEST_CRASH_AT when given) until it exits,
    /// or until <paramref name="runFor"/> passes, when it is stopped.
    /// </summary>
    public static async Task<CliRun> RunAsync(string? crashAt, TimeSpan runFor, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (crashAt is not null)
        {
            start.Environment["PAAS_TEST_CRASH_AT"] = crashAt;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "paas.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(runFor);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return new CliRun(process.ExitCode, await output, await error);
    }
}
