using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;

namespace Gitops.IntegrationTests;

/// <summary>
/// s3rver (npm, installed by scripts/setup-engines.sh into /opt/paas-test-tools) as a second
/// S3-compatible store: it checks SigV4 signatures with its own keys (S3RVER/S3RVER) and keeps
/// objects in a directory, so a restart keeps them.
/// </summary>
internal sealed class S3rverServer : IS3Store
{
    private const string Program = "/opt/paas-test-tools/node_modules/.bin/s3rver";
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-s3rver-").FullName;
    private readonly int _port = FreePort.Next();
    private Process? _process;

    public string Endpoint => $"http://127.0.0.1:{_port}";

    public string AccessKey => "S3RVER";

    public string SecretKey => "S3RVER";

    public static async Task<S3rverServer> StartAsync(string bucket)
    {
        if (!File.Exists(Program))
        {
            Engines.Require($"{Program} is missing (scripts/setup-engines.sh installs s3rver from npm)");
        }

        var server = new S3rverServer();
        await server.StartAsync();
        await server.CreateBucketAsync(bucket);
        return server;
    }

    public async Task StartAsync() => _process = await LocalServer.StartAsync(Program, ["-d", _directory, "-a", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--no-vhost-buckets"], _port);

    public async Task CreateBucketAsync(string bucket)
    {
        using var s3 = Client();
        try
        {
            await s3.PutBucketAsync(bucket);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Kept in its directory across a restart.
        }
    }

    public AmazonS3Client Client() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public void Stop()
    {
        LocalServer.Stop(_process);
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        Directory.Delete(_directory, recursive: true);
    }
}
