using CommandLine;
using Gitops.Cli.Remote;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Ingress;
using Gitops.Engine.Targets;
using Gitops.Schema.Validation;
using Gitops.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("quickstart", HelpText = "Start a server on this machine, deploy samples/hello from a local Git repository, and print where it answers.")]
public sealed class QuickstartOptions : CommonOptions
{
    [Option("data-dir", HelpText = "Where the quickstart keeps its platform and repository. Default: ./.paas/quickstart.")]
    public string? DataDir { get; set; }

    [Option("listen", Default = "http://127.0.0.1:8787", HelpText = "Address of the server's API (loopback by default).")]
    public string Listen { get; set; } = "http://127.0.0.1:8787";

    [Option("exit-when-ready", HelpText = "Stop the server once the app answers (the app keeps running); for scripts and CI.")]
    public bool ExitWhenReady { get; set; }

    [Option("timeout", Default = 300, HelpText = "Seconds to wait for the app to answer.")]
    public int TimeoutSeconds { get; set; } = 300;

    [Option("https-port", Default = 8443, HelpText = "HTTPS port of the ingress, when one is installed; HTTP on --http-port redirects to it.")]
    public int HttpsPort { get; set; } = 8443;

    [Option("http-port", Default = 8080, HelpText = "HTTP port of the ingress.")]
    public int HttpPort { get; set; } = 8080;

    [Option("ingress-admin-port", Default = 2119, HelpText = "Port of the ingress's admin API on 127.0.0.1.")]
    public int IngressAdminPort { get; set; } = 2119;

    [Option("ingress-router-port", Default = 2118, HelpText = "Port on 127.0.0.1 of the ingress's router, behind its TLS edge.")]
    public int IngressRouterPort { get; set; } = 2118;

    [Option("project", Default = QuickstartCommand.DefaultProject, HelpText = "Project name the sample is deployed as; another name keeps a second quick start (or a test) apart from the first.")]
    public string Project { get; set; } = QuickstartCommand.DefaultProject;
}

/// <summary>
/// The README's first command, top-down: a platform in a local data directory → the engine it
/// will use → the sample's base image → a bare Git repository holding the sample (watched) and
/// its clone → the server → wait until each environment deployed and its web service answers →
/// one block saying where it answers, how to sign in to the dashboard, and what to do next.
/// </summary>
public static class QuickstartCommand
{
    public const string DefaultProject = "hello";
    public const string LogFile = "server.log";
    private const string Service = "web";
    private const int Port = 8080;

    public static int Run(QuickstartOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var ct = console.Cancellation;
        var data = Path.GetFullPath(options.DataDir ?? Path.Combine(".paas", "quickstart"));
        var project = options.Project;
        if (!Grammar.Name().IsMatch(project))
        {
            throw new CliException(ExitCodes.Usage, $"--project '{project}' is not a valid project name: lowercase letters, digits and '-', starting with a letter, at most 63 characters");
        }

        var steps = new QuickstartSteps(console);
        steps.Heading("sets up a platform on this machine and deploys the sample app from Git");
        PreparePlatform(data, options);
        steps.Done($"platform data in {data}");
        var platform = PlatformConfig.Load(data);
        var target = platform.Target("local");
        CheckIngressPorts(platform, data, options);
        using (var connection = Connect(target, ct))
        {
            var log = new Gitops.Engine.Execution.InlineProgress<string>(steps.Note);
            var made = connection.Images.EnsureStarterBaseAsync(log, ct).GetAwaiter().GetResult();
            steps.Done($"container engine: {ProviderRegistry.Default.Describe(target)}{(made is null ? "" : $"; {made}")}");
        }

        var repository = SampleRepository.In(data, project);
        steps.Done(repository.EnsureCreated(project));
        Watch(data, project, repository.Url);

        using var app = StartServer(data, options, steps);
        try
        {
            var environments = Gitops.Schema.Loading.ManifestLoader.LoadPath(repository.Work).Environments.Keys.ToList();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(options.TimeoutSeconds);
            var addresses = WaitUntilAnswering(app, target, project, environments, TimeSpan.FromSeconds(options.TimeoutSeconds), steps, ct);
            var urls = new List<(string Environment, string Url)>();
            using var ingress = ProviderRegistry.Default.OpenIngress(platform, data);
            if (ingress is not null)
            {
                foreach (var environment in environments)
                {
                    urls.Add((environment, WaitForIngress(ingress, project, environment, deadline, ct)));
                    steps.Done($"{project}/{environment} answers at {urls[^1].Url} (HTTPS through {ingress.Name})");
                }
            }

            var signIn = QuickstartSignIn.Prepare(app.Services.GetRequiredService<StateStore>(), options.Listen);
            new QuickstartSummary(console, data, project, repository).Write(steps.Total, ingress is null ? addresses : urls, addresses, signIn,
                ingress?.LocalCertificateAuthority, options.ExitWhenReady);
            if (options.ExitWhenReady)
            {
                return ExitCodes.Ok;
            }

            app.WaitForShutdownAsync(ct).GetAwaiter().GetResult();
            return ExitCodes.Ok;
        }
        finally
        {
            app.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Another program on the ingress's ports (often an earlier quick start's Caddy, run with
    /// another --data-dir) would take this one's routes or keep its edge from starting: say so now,
    /// not after the wait for the app times out.
    /// </summary>
    private static void CheckIngressPorts(PlatformConfig platform, string data, QuickstartOptions options)
    {
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, data);
        var ours = new[] { Path.Combine(data, "caddy", "caddy.pid"), Path.Combine(data, "caddy", "edge", "caddy.pid") }
            .Any(pid => File.Exists(pid) && int.TryParse(File.ReadAllText(pid).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var id) && Directory.Exists($"/proc/{id}"));
        if (ingress is null || ours)
        {
            return;
        }

        var ports = new (int Port, System.Net.IPAddress Address, string Option)[]
        {
            (options.HttpsPort, System.Net.IPAddress.Any, "--https-port"), (options.HttpPort, System.Net.IPAddress.Any, "--http-port"),
            (options.IngressAdminPort, System.Net.IPAddress.Loopback, "--ingress-admin-port"), (options.IngressRouterPort, System.Net.IPAddress.Loopback, "--ingress-router-port"),
        };
        foreach (var (port, address, option) in ports)
        {
            try
            {
                var listener = new System.Net.Sockets.TcpListener(address, port);
                listener.Start();
                listener.Stop();
            }
            catch (System.Net.Sockets.SocketException)
            {
                throw new CliException(ExitCodes.Failed, $"port {port} ({option}) is taken by another program, perhaps the ingress of a quick start with another --data-dir; "
                    + $"stop it, or choose free ports with --https-port, --http-port, --ingress-admin-port and --ingress-router-port");
            }
        }
    }

    /// <summary>The platform watches the bare repository; an older quick start's registration of the working repository is moved to it.</summary>
    private static void Watch(string data, string project, string url)
    {
        using var state = SecretsCommand.OpenState(data);
        var registry = new RepositoryRegistry(state);
        if (registry.List().FirstOrDefault(r => r.Project == project)?.Url != url)
        {
            registry.Add(project, url);
        }
    }

    /// <summary>
    /// file:// repositories are allowed on this platform (the sample lives in a local directory); with
    /// an ingress installed, public services get HTTPS routes on *.localhost from its local CA, on
    /// the ports this start was given.
    /// </summary>
    private static void PreparePlatform(string data, QuickstartOptions options)
    {
        DataDirectory.Prepare(data);
        var file = Path.Combine(data, PlatformConfig.FileName);
        const string Header = "# Written by paas quickstart on each start, from its options (delete this line to keep your own edits)";
        if (!File.Exists(file) || File.ReadLines(file).FirstOrDefault() is Header or "# Written by paas quickstart: the sample is a local repository (file://).")
        {
            var ingress = PlatformProviders.QuickstartIngress(options.HttpPort, options.HttpsPort, options.IngressAdminPort, options.IngressRouterPort);
            File.WriteAllText(file, $"{Header}\n# The sample is a local repository (file://).\nallowFileUrls: true\n{ingress}");
        }
    }

    /// <summary>The public URL of the sample's web service in one environment, once it answers through the ingress.</summary>
    private static string WaitForIngress(IIngress ingress, string project, string environment, DateTime deadline, CancellationToken ct)
    {
        var url = ingress.UrlOf($"{Service}-{environment}-{project}.{ingress.BaseDomain}");
        while (true)
        {
            if (ingress.LocalCertificateAuthority is { } authority)
            {
                try
                {
                    using var http = LocalHttps.Client(authority);
                    using var response = http.GetAsync(url, ct).GetAwaiter().GetResult();
                    if (response.IsSuccessStatusCode)
                    {
                        return url;
                    }
                }
                catch (HttpRequestException)
                {
                    // The route or its certificate is not there yet.
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new CliException(ExitCodes.Failed, $"{url} did not answer through {ingress.Name} in time; see {ingress.Diagnostics}");
            }

            Task.Delay(TimeSpan.FromMilliseconds(300), ct).GetAwaiter().GetResult();
        }
    }

    private static TargetConnection Connect(TargetConfig target, CancellationToken ct)
    {
        var connection = ProviderRegistry.Default.Connect(target);
        var probe = connection.Driver.ProbeAsync(ct).GetAwaiter().GetResult();
        if (!probe.Answers)
        {
            connection.Dispose();
            throw new CliException(ExitCodes.Failed, $"the local target does not answer: {probe.Detail}; or run ./paas quickstart as root on Debian and it sets one up");
        }

        return connection;
    }

    private static WebApplication StartServer(string data, QuickstartOptions options, QuickstartSteps steps)
    {
        WebApplication app;
        var logFile = Path.Combine(data, LogFile);
        try
        {
            // The CLI in this data directory talks to this server from now on (paas status --data-dir …).
            app = PaasServer.Build(new ServerOptions { DataDirectory = data, Listen = options.Listen, PollInterval = TimeSpan.FromSeconds(5), LogFile = options.Verbose ? null : logFile }, TextWriter.Null,
                token => new Login(options.Listen, token).Save(data));
        }
        catch (StateLockedException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message + " (a quickstart server already runs? stop it with Ctrl+C)");
        }

        if (Login.Load(data) is { } saved && saved.Server != options.Listen)
        {
            (saved with { Server = options.Listen }).Save(data); // a later start on another --listen: the saved login follows it
        }

        app.StartAsync().GetAwaiter().GetResult();
        steps.Done($"server on {options.Listen}, polling the repository every 5 s; its log: {(options.Verbose ? "this console (--verbose)" : logFile)}");
        return app;
    }

    /// <summary>Waits for each environment's deployment, then for its service to answer; says what happens meanwhile.</summary>
    private static List<(string Environment, string Url)> WaitUntilAnswering(WebApplication app, TargetConfig target, string project, List<string> environments, TimeSpan timeout, QuickstartSteps steps, CancellationToken ct)
    {
        var state = app.Services.GetRequiredService<StateStore>();
        var records = new EnvironmentRecords(state);
        var deadline = DateTime.UtcNow + timeout;
        var reported = new Dictionary<string, string>(StringComparer.Ordinal);
        var answering = new Dictionary<string, string>(StringComparer.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using (var connection = ProviderRegistry.Default.Connect(target))
        {
            while (true)
            {
                foreach (var environment in environments)
                {
                    if (answering.ContainsKey(environment) || records.LastSync(project, environment) is not { } sync)
                    {
                        continue;
                    }

                    if (reported.GetValueOrDefault(environment) != sync.Detail)
                    {
                        reported[environment] = sync.Detail;
                        steps.Note($"{project}/{environment}: {sync.Detail}");
                    }

                    if (sync.Outcome is ReconcileOutcome.Failed or ReconcileOutcome.RolledBack or ReconcileOutcome.InvalidManifest or ReconcileOutcome.SkippedFailedRevision)
                    {
                        throw new CliException(ExitCodes.Failed, $"{project}/{environment} did not deploy: {sync.Detail}");
                    }

                    if (sync.Outcome is ReconcileOutcome.Applied or ReconcileOutcome.InSync
                        && Answering(http, connection.Driver, project, environment, ct) is { } url)
                    {
                        answering[environment] = url;
                        steps.Done($"{project}/{environment} deployed {sync.Commit?[..Math.Min(12, sync.Commit.Length)]} and answers at {url}");
                    }
                }

                if (answering.Count == environments.Count)
                {
                    return answering.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value)).ToList();
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new CliException(ExitCodes.Failed, $"the sample did not answer within {timeout.TotalSeconds:0} s; the server's log ({LogFile} in the data directory, or run with --verbose) says why");
                }

                Task.Delay(TimeSpan.FromMilliseconds(500), ct).GetAwaiter().GetResult();
            }
        }
    }

    private static string? Answering(HttpClient http, ITargetDriver driver, string project, string environment, CancellationToken ct)
    {
        var observed = driver.ObserveAsync(project, environment, ct).GetAwaiter().GetResult();
        foreach (var address in observed.Containers.Where(c => c.Service == Service && c.Running && c.Address is not null).Select(c => c.Address))
        {
            var url = $"http://{address}:{Port}/";
            try
            {
                using var response = http.GetAsync(url, ct).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return url;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not answering yet: the next round asks again.
            }
        }

        return null;
    }
}
