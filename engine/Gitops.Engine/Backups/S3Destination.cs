using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Gitops.Engine.Backups;

/// <summary>
/// An S3-compatible bucket: AWS, or MinIO, R2, B2 and the like through <c>endpoint</c> and
/// path-style addressing. Objects are put whole (the archive's length is known: it is sealed to a
/// temporary file first), under the destination's prefix.
/// </summary>
public sealed class S3Destination : IBackupDestination
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;

    public S3Destination(string name, BackupDestinationConfig config, AWSCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(config);
        Name = name;
        _bucket = config.Bucket ?? throw new ArgumentException($"backups.{name}.bucket is required");
        _prefix = config.Prefix is { Length: > 0 } prefix ? prefix.TrimEnd('/') + "/" : "";
        var settings = new AmazonS3Config
        {
            ForcePathStyle = config.PathStyle,
            AuthenticationRegion = config.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED, // S3-compatible stores differ on the newer checksums
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (config.Endpoint is { } endpoint)
        {
            settings.ServiceURL = endpoint;
        }
        else
        {
            settings.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(config.Region);
        }

        _client = new AmazonS3Client(credentials, settings);
    }

    public string Name { get; }

    public async Task PutAsync(string objectName, Stream content, long length, CancellationToken cancellationToken) =>
        await Call(() => _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + objectName,
            InputStream = content,
            AutoCloseStream = false,
            Headers = { ContentLength = length },
            UseChunkEncoding = false, // aws-chunked bodies are stored as they came by some compatible stores (s3rver did): the whole payload is signed instead
        }, cancellationToken), objectName).ConfigureAwait(false);

    public async Task<Stream> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectAsync(_bucket, _prefix + objectName, cancellationToken).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"{Name} holds no {objectName}");
        }
        catch (Exception e) when (Unreachable(e))
        {
            throw Refused(e, objectName);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        ListObjectsV2Response response;
        do
        {
            response = await Call(() => _client.ListObjectsV2Async(request, cancellationToken), prefix).ConfigureAwait(false);
            names.AddRange((response.S3Objects ?? []).Select(o => o.Key[_prefix.Length..]));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        return names.Order(StringComparer.Ordinal).ToList();
    }

    public Task DeleteAsync(string objectName, CancellationToken cancellationToken) =>
        Call(() => _client.DeleteObjectAsync(_bucket, _prefix + objectName, cancellationToken), objectName);

    public void Dispose() => _client.Dispose();

    private async Task<T> Call<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (Unreachable(e))
        {
            throw Refused(e, what);
        }
    }

    /// <summary>The store answered no, or could not be reached at all.</summary>
    private static bool Unreachable(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException;

    /// <summary>The store's own words, never the credentials: a message a person can act on.</summary>
    private InvalidOperationException Refused(Exception e, string what) =>
        new($"backup destination {Name} (s3 bucket {_bucket}) refused {what}: {(e.InnerException is HttpRequestException http ? http.Message : e.Message)}", e);
}
