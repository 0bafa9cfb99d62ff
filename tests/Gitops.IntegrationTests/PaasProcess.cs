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

    /// <summary>Starts paas with <paramref name="arguments"/> and returns while it runs.</summary>
    public static RunningPaas Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    /// <summary>Starts paas with extra environment variables (e.g. SSL_CERT_FILE for a test's own certificate authority).</summary>
    public static RunningPaas Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "paas.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        return new RunningPaas(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }
}

/// <summary>A paas process a test stops the way a service manager would (SIGTERM), or kills.</summary>
internal sealed class RunningPaas(Process process, Task<string> output, Task<string> error) : IDisposable
{
    /// <summary>What systemd and docker stop send first.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
    }

    /// <returns>The exit code and everything written, or null for the code when it did not exit in time (then it is killed).</returns>
    public async Task<(int? ExitCode, string Log)> WaitAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        int? code;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            code = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            code = null;
        }

        return (code, await output + await error);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(); // gone, its state file released, before the test goes on
        }

        process.Dispose();
    }
}
