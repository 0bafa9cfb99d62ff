using Gitops.Server;

namespace Gitops.Cli.Tests;

/// <summary>Credentials never cross a network in clear text unless someone asked for it by name.</summary>
public sealed class PlainHttpTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("paas-http-").FullName;

    [Theory]
    [InlineData("http://0.0.0.0:8787")]
    [InlineData("http://*:8787")]
    [InlineData("http://192.0.2.10:8787")]
    [InlineData("http://127.0.0.1:8787;http://[::]:8787")]
    public void The_server_refuses_plain_http_beyond_loopback_and_says_what_to_do(string listen)
    {
        var run = CliRun.Of("server", "--listen", listen, "--data-dir", _data);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("clear text", run.Error, StringComparison.Ordinal);
        Assert.Contains("--insecure-http", run.Error, StringComparison.Ordinal);
        Assert.Contains("--tls-cert", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "state.db")), "the server started before refusing");
    }

    [Fact]
    public void Https_without_a_certificate_is_refused_by_name()
    {
        var run = CliRun.Of("server", "--listen", "https://0.0.0.0:8787", "--data-dir", _data);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("needs --tls-cert FILE and --tls-key FILE", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Login_to_another_host_over_plain_http_is_refused_before_anything_is_read_or_sent()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader("my secret password");

        var code = PaasCli.Run(["login", "--server", "http://192.0.2.10:8787", "--user", "ana", "--data-dir", _data], CliConsole.Plain(output, error), input);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--insecure-http", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("my secret password", input.ReadToEnd()); // the password was not even read
        Assert.False(File.Exists(Path.Combine(_data, "login.json")));
    }

    [Theory]
    [InlineData("https://paas.example.com", true)]
    [InlineData("http://127.0.0.1:8787", true)]
    [InlineData("http://127.8.9.10:8787", true)]
    [InlineData("http://localhost:8787", true)]
    [InlineData("http://[::1]:8787", true)]
    [InlineData("http://10.0.0.5:8787", false)]
    [InlineData("http://paas.example.com", false)]
    [InlineData("http://localhost.example.com", false)]
    public void Only_https_or_loopback_may_carry_credentials(string address, bool safe) =>
        Assert.Equal(safe, TransportPolicy.IsSafe(new Uri(address)));

    [Fact]
    public void Insecure_http_is_allowed_when_asked_for()
    {
        TransportPolicy.CheckListen("http://0.0.0.0:8787", insecureHttp: true, hasCertificate: false);
        TransportPolicy.CheckServer(new Uri("http://10.0.0.5:8787"), insecureHttp: true);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
