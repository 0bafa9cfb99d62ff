using System.Diagnostics;
using System.Text;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>What one kubectl run printed and how it exited.</summary>
internal sealed record KubectlResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// The real kubectl binary against a fake API server: arguments as a list (never a shell string),
/// its own kubeconfig and discovery cache in a temporary directory.
/// </summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string binary;
    private readonly DirectoryInfo directory;

    public Kubectl(FakeKubernetesApiServer server)
    {
        binary = Find() ?? Missing();
        directory = System.IO.Directory.CreateTempSubdirectory("fake-kubectl-");
        Kubeconfig = server.WriteKubeconfig(directory.FullName);
    }

    public string Kubeconfig { get; }

    public string Directory => directory.FullName;

    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    public async Task<KubectlResult> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new KubectlResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs kubectl and fails the test when it fails.</summary>
    public async Task<string> MustAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', arguments)}: {result}");
        return result.Output;
    }

    /// <summary>Runs a long-lived kubectl (a watch) until its output satisfies <paramref name="done"/>, then stops it.</summary>
    public async Task<string> WatchUntilAsync(Func<string, bool> done, TimeSpan limit, params string[] arguments)
    {
        using var process = Start(arguments);
        var output = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
                if (done(output.ToString()))
                {
                    seen.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await seen.Task.WaitAsync(limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            // The caller asserts on what was printed.
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>Starts kubectl; the caller must be ready to read both streams.</summary>
    public Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(Kubeconfig);
        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(Path.Combine(directory.FullName, "cache"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["KUBECONFIG"] = Kubeconfig;
        start.Environment["HOME"] = directory.FullName;
        return Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start");
    }

    public void Dispose() => directory.Delete(recursive: true);

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "kubectl"))
            .FirstOrDefault(File.Exists);

    /// <summary>kubectl is the check that the fake speaks the real protocol: its absence fails, never skips.</summary>
    private static string Missing()
    {
        var strict = Environment.GetEnvironmentVariable("PAAS_REQUIRE_ENGINES") == "1" ? "PAAS_REQUIRE_ENGINES=1 and " : "";
        Assert.Fail($"{strict}kubectl is not on PATH; the test setup (scripts/setup-engines.sh) installs it");
        return "";
    }
}
