using System.Diagnostics;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// Someone with kubectl access to the cluster, doing what the platform does not know about: the
/// real kubectl binary, run with an argument list against the given kubeconfig.
/// </summary>
internal sealed class ClusterUser(string kubeconfig)
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
    }

    /// <summary>The kubectl on PATH; the test setup installs one, so its absence fails the test.</summary>
    public static string Binary =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "kubectl"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("kubectl is not installed: scripts/setup-engines.sh installs it (apt-get install kubernetes-client)");

    public async Task<Result> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs kubectl and fails the test when it fails.</summary>
    public async Task<string> MustAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', arguments)}: {result}");
        return result.Output;
    }
}
