using System.ComponentModel;

namespace Gitops.Engine.Backups;

/// <summary>Kinds of backup destination.</summary>
public enum BackupDestinationKind
{
    Local,
    S3,
}

/// <summary>
/// One destination of platform.yaml's <c>backups:</c>. The name <c>local</c> is always there: the
/// data directory's <c>backups/</c> unless platform.yaml says otherwise. S3 credentials are in the
/// encrypted store (<c>paas backup credentials NAME</c>), else the standard AWS chain.
/// </summary>
public sealed record BackupDestinationConfig
{
    [Description("local (a directory) or s3 (an S3-compatible bucket).")]
    public BackupDestinationKind Kind { get; init; } = BackupDestinationKind.Local;

    [Description("local: the directory archives are written to (absolute).")]
    public string? Path { get; init; }

    [Description("s3: the bucket.")]
    public string? Bucket { get; init; }

    [Description("s3: the region. Default: us-east-1.")]
    public string Region { get; init; } = "us-east-1";

    [Description("s3: an S3-compatible endpoint (MinIO, R2, B2), e.g. https://s3.example.com. Default: AWS.")]
    public string? Endpoint { get; init; }

    [Description("s3: path-style addressing (endpoint/bucket/key), as MinIO and most compatible stores want.")]
    public bool PathStyle { get; init; }

    [Description("s3: a key prefix, e.g. paas/backups.")]
    public string? Prefix { get; init; }
}
