using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A real, anonymous image registry for one test: Debian's <c>docker-registry</c> serving a temp
/// directory on a free loopback port over plain HTTP (Docker treats 127.0.0.0/8 as insecure, and the
/// platform accepts http:// for loopback only). It stands in for ECR: the platform pushes the hello
/// sample's build there and the task definition names it by digest. Fargate would pull from ECR; moto
/// pulls nothing.
/// </summary>
public sealed class LoopbackRegistry : IAsyncDisposable
{
    private const string Binary = "/usr/bin/docker-registry";

    private readonly string _directory;
    private readonly Process _process;

    private LoopbackRegistry(string directory, Process process, int port)
    {
        (_directory, _process) = (directory, process);
        Host = $"127.0.0.1:{port}";
    }

    /// <summary>The registry as image names spell it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; }

    public static async Task<LoopbackRegistry> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Binary))
        {
            Needs.Missing($"{Binary} is missing (Debian's docker-registry package)");
        }

        var directory = Directory.CreateTempSubdirectory("paas-ecs-registry-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: \"{Path.Combine(directory, "data")}\"\nhttp:\n  addr: \"127.0.0.1:{port}\"\n", cancellationToken);
        var process = Process.Start(new ProcessStartInfo(Binary) { ArgumentList = { "serve", config }, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var registry = new LoopbackRegistry(directory, process, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; ; i++)
        {
            try
            {
                using var answer = await http.GetAsync(new Uri($"http://{registry.Host}/v2/"), cancellationToken);
                if (answer.IsSuccessStatusCode)
                {
                    return registry;
                }
            }
            catch (HttpRequestException) when (i < 100 && !process.HasExited)
            {
                // not listening yet
            }

            if (i >= 100 || process.HasExited)
            {
                await registry.DisposeAsync();
                throw new InvalidOperationException($"docker-registry did not serve on {registry.Host}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
