using CommandLine;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Server;

namespace Gitops.Cli.Commands;

[Verb("server", HelpText = "Run the platform: watch repositories (poll and webhooks), deploy their branches, serve the API.")]
public sealed class ServerOptionsCli
{
    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }

    [Option("listen", Default = "http://127.0.0.1:8787", HelpText = "Address to listen on (loopback by default).")]
    public string Listen { get; set; } = "http://127.0.0.1:8787";

    [Option("poll", Default = 60, HelpText = "Seconds between fetches of each repository (with jitter).")]
    public int PollSeconds { get; set; } = 60;

    [Option("log-format", Default = "text", HelpText = "text, or json: one JSON object per log line with the event's named fields.")]
    public string LogFormat { get; set; } = "text";

    [Option("insecure-http", HelpText = "Allow plain HTTP on a non-loopback --listen address: tokens and passwords then cross the network in clear text.")]
    public bool InsecureHttp { get; set; }

    [Option("tls-cert", HelpText = "PEM certificate (with its chain) for an https:// --listen address.")]
    public string? TlsCertificate { get; set; }

    [Option("tls-key", HelpText = "PEM private key of --tls-cert.")]
    public string? TlsKey { get; set; }

    [Option("trusted-proxy", Separator = ',', HelpText = "Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated). Default: none.")]
    public IEnumerable<string> TrustedProxies { get; set; } = [];
}

public static class ServerCommand
{
    public static int Run(ServerOptionsCli options, CliConsole console)
    {
        var json = options.LogFormat switch
        {
            "text" => false,
            "json" => true,
            _ => throw new CliException(ExitCodes.Usage, $"--log-format '{options.LogFormat}': text or json"),
        };
        WebApplicationRun(new ServerOptions
        {
            JsonLogs = json,
            DataDirectory = DataDirectory.Resolve(options.DataDir),
            Listen = options.Listen,
            InsecureHttp = options.InsecureHttp,
            TlsCertificate = options.TlsCertificate,
            TlsKey = options.TlsKey,
            PollInterval = TimeSpan.FromSeconds(Math.Max(1, options.PollSeconds)),
            TrustedProxies = options.TrustedProxies.ToList(),
        }, console);
        return ExitCodes.Ok;
    }

    private static void WebApplicationRun(ServerOptions options, CliConsole console)
    {
        try
        {
            using var app = PaasServer.Build(options, console.Raw);
            console.Raw.WriteLine($"paas server listening on {options.Listen}, data in {options.DataDirectory}; Ctrl+C stops it");
            app.Run();
        }
        catch (StateLockedException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }
        catch (InsecureTransportException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message);
        }
    }
}
