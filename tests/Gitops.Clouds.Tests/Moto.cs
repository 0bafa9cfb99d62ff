using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

[assembly: AssemblyFixture(typeof(Gitops.Clouds.Tests.Moto))]

namespace Gitops.Clouds.Tests;

/// <summary>
/// moto_server (a local AWS stand-in speaking the real wire protocols), started once for the test
/// assembly on a free port and stopped after it, with the network an ECS target needs: a VPC, two
/// subnets, a security group, and an ALB with an HTTP listener. Missing moto skips the tests with
/// the reason, or fails them where PAAS_REQUIRE_ENGINES=1 (CI).
/// </summary>
public sealed class Moto : IAsyncLifetime
{
    public const string Region = "us-east-1";
    public const string ExecutionRole = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
    public const string SchedulerRole = "arn:aws:iam::123456789012:role/paasScheduler";

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();
    private readonly string _recording = Path.Combine(Path.GetTempPath(), $"paas-moto-recording-{Guid.NewGuid():N}.jsonl");
    private Process? _process;

    public string? Missing { get; private set; }

    public string Endpoint { get; private set; } = "";

    public IReadOnlyList<string> Subnets { get; private set; } = [];

    public string SecurityGroup { get; private set; } = "";

    public string Listener { get; private set; } = "";

    public AwsCli Cli => new(Endpoint);

    /// <summary>Skips the calling test when moto is absent (fails it instead where engines are required).</summary>
    public void Require()
    {
        if (Missing is { } why)
        {
            Needs.Missing(why);
        }
    }

    public async ValueTask InitializeAsync()
    {
        var executable = Find("moto_server");
        if (executable is null || Find("aws") is null)
        {
            Missing = $"{(executable is null ? "moto_server" : "the aws CLI")} is not on PATH (moto is part of the machine image: pip's moto[server])";
            return;
        }

        var port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["MOTO_RECORDER_FILEPATH"] = _recording; // moto's request recorder, off until a test starts it
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; ; i++)
        {
            try
            {
                using var answer = await http.GetAsync(new Uri($"{Endpoint}/moto-api/"));
                break;
            }
            catch (HttpRequestException) when (i < 150 && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        // moto moves a task one step towards STOPPED each time DescribeTasks reads it (RUNNING, then
        // DEACTIVATING, …): every observation would stop the tasks it looks at. Here a task runs
        // until it is stopped, as on ECS.
        using (var transition = await http.PostAsync(
            new Uri($"{Endpoint}/moto-api/state-manager/set-transition"),
            new StringContent("""{"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000000}}""", System.Text.Encoding.UTF8, "application/json")))
        {
            transition.EnsureSuccessStatusCode();
        }

        var vpc = await Cli.TextAsync("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--query", "Vpc.VpcId");
        // As VPCs for Fargate usually are; moto's RunTask in awsvpc mode also fails (HTTP 500) without: it names the task's ENI by its DNS name.
        await Cli.RunAsync("ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", "{\"Value\":true}");
        Subnets =
        [
            await Cli.TextAsync("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24", "--availability-zone", "us-east-1a", "--query", "Subnet.SubnetId"),
            await Cli.TextAsync("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.2.0/24", "--availability-zone", "us-east-1b", "--query", "Subnet.SubnetId"),
        ];
        SecurityGroup = await Cli.TextAsync("ec2", "create-security-group", "--group-name", "paas-tasks", "--description", "tasks", "--vpc-id", vpc, "--query", "GroupId");
        var balancer = await Cli.TextAsync(["elbv2", "create-load-balancer", "--name", "paas-test", "--subnets", .. Subnets, "--security-groups", SecurityGroup, "--query", "LoadBalancers[0].LoadBalancerArn"]);
        Listener = await Cli.TextAsync("elbv2", "create-listener", "--load-balancer-arn", balancer, "--protocol", "HTTP", "--port", "80",
            "--default-actions", "Type=fixed-response,FixedResponseConfig={StatusCode=404,ContentType=text/plain,MessageBody=none}", "--query", "Listeners[0].ListenerArn");
    }

    /// <summary>
    /// Records every request moto receives from now on (headers and bodies as they arrived) until
    /// the returned recording is disposed: the wire of a process the test cannot hook, such as the CLI's.
    /// </summary>
    public async Task<MotoRecording> RecordAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        (await http.PostAsync(new Uri($"{Endpoint}/moto-api/recorder/reset-recording"), null, cancellationToken)).EnsureSuccessStatusCode();
        (await http.PostAsync(new Uri($"{Endpoint}/moto-api/recorder/start-recording"), null, cancellationToken)).EnsureSuccessStatusCode();
        return new MotoRecording(Endpoint, _recording);
    }

    /// <summary>
    /// moto's last Python traceback (it answers a bug of its own with a bare HTTP 500): what a test
    /// shows next to such an answer, so a moto limit is told apart from a driver's fault.
    /// </summary>
    public string LastTraceback()
    {
        var lines = _errors.ToArray();
        var start = Array.FindLastIndex(lines, l => l.StartsWith("Traceback", StringComparison.Ordinal));
        return start < 0 ? "(moto printed no traceback)" : string.Join('\n', lines[start..].Where(l => !l.Contains(" HTTP/1.1\" ", StringComparison.Ordinal))); // not its access log
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _errors.Enqueue(line);
        while (_errors.Count > 400 && _errors.TryDequeue(out _))
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        File.Delete(_recording);
        return ValueTask.CompletedTask;
    }

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append("/root/.pyenv/shims")
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>moto's recording of the requests it received, one JSON document a line; stopped when disposed.</summary>
public sealed class MotoRecording(string endpoint, string file) : IAsyncDisposable
{
    /// <summary>The requests recorded so far, each with its headers and body.</summary>
    public IReadOnlyList<JsonObject> Requests() =>
        File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList() : [];

    public async ValueTask DisposeAsync()
    {
        using var http = new HttpClient();
        (await http.PostAsync(new Uri($"{endpoint}/moto-api/recorder/stop-recording"), null)).EnsureSuccessStatusCode();
    }
}

/// <summary>The real aws CLI pointed at moto with dummy credentials: an argument list, never a shell string.</summary>
public sealed class AwsCli(string endpoint)
{
    public async Task<JsonNode?> JsonAsync(params string[] arguments)
    {
        var text = await RunAsync([.. arguments, "--output", "json"]);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public async Task<string> TextAsync(params string[] arguments) => (await RunAsync([.. arguments, "--output", "text"])).Trim();

    public async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        start.Environment["AWS_DEFAULT_REGION"] = Moto.Region;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"aws {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
