using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;

namespace Gitops.IntegrationTests;

/// <summary>An S3-compatible store a test starts on a free port, takes down and brings back.</summary>
internal interface IS3Store : IDisposable
{
    string Endpoint { get; }

    string AccessKey { get; }

    string SecretKey { get; }

    Task StartAsync();

    Task CreateBucketAsync(string bucket);

    AmazonS3Client Client();

    void Stop();
}

/// <summary>
/// moto_server (part of the machine image) as the tests' S3: the real S3 wire protocol on a free
/// port, path-style. <see cref="Stop"/> takes the store down (its buckets with it, as moto keeps
/// them in memory); <see cref="StartAsync()"/> brings it back on the same port.
/// </summary>
internal sealed class MotoServer : IS3Store
{
    public string AccessKey => "testing";

    public string SecretKey => "testing";

    private Process? _process;

    private MotoServer(string program, int port) => (Program, Port) = (program, port);

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    private string Program { get; }

    public static async Task<MotoServer> StartAsync(string? bucket = null)
    {
        var program = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/root/.pyenv/shims").Select(d => Path.Combine(d, "moto_server")).FirstOrDefault(File.Exists);
        if (program is null)
        {
            Engines.Require("moto_server is not on PATH (it is part of the machine image: AWS APIs for the tests)");
        }

        var moto = new MotoServer(program, FreePort.Next());
        await moto.StartAsync();
        if (bucket is not null)
        {
            await moto.CreateBucketAsync(bucket);
        }

        return moto;
    }

    public async Task StartAsync() => _process = await LocalServer.StartAsync(Program, ["-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], Port);

    public async Task CreateBucketAsync(string bucket)
    {
        using var s3 = Client();
        await s3.PutBucketAsync(bucket);
    }

    /// <summary>A client with moto's test keys, to look at what the platform put.</summary>
    public AmazonS3Client Client() => new(new BasicAWSCredentials("testing", "testing"), new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public void Stop()
    {
        LocalServer.Stop(_process);
        _process = null;
    }

    public void Dispose() => Stop();
}
