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

/// <summary>
/// platform.yaml's <c>platformBackup:</c> — the server copies the platform's own state (as
/// <c>paas admin backup</c> does) on a schedule to a destination, keeping the newest <see cref="Keep"/>.
/// </summary>
public sealed record PlatformBackupConfig
{
    [Description("Cron expression (UTC), e.g. \"30 2 * * *\".")]
    public string Schedule { get; init; } = "30 2 * * *";

    [Description("Number of platform backups kept at the destination.")]
    public int Keep { get; init; } = 14;

    [Description("A destination of backups:, or local.")]
    public string To { get; init; } = BackupDestinations.Default;

    /// <summary>Problems of the section, each at its field: a schedule that does not parse, keep under 1, an undeclared destination.</summary>
    public void Check(IReadOnlyCollection<string> destinations, Schema.Binding.SourceMap map, List<Schema.Diagnostics.Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        void Problem(string at, string message) => problems.Add(new Schema.Diagnostics.Diagnostic(Schema.Diagnostics.ErrorCodes.Required, message, map.Locate(at), at));
        try
        {
            _ = Cronos.CronExpression.Parse(Schedule, Cronos.CronFormat.Standard);
        }
        catch (Cronos.CronFormatException e)
        {
            Problem("platformBackup.schedule", $"'{Schedule}' is not a cron expression (minute hour day month weekday): {e.Message}");
        }

        if (Keep < 1)
        {
            Problem("platformBackup.keep", $"platformBackup.keep must be at least 1, not {Keep}");
        }

        if (To != BackupDestinations.Default && !destinations.Contains(To))
        {
            Problem("platformBackup.to", $"no backup destination '{To}'; destinations: {string.Join(", ", destinations.Append(BackupDestinations.Default).Distinct().Order(StringComparer.Ordinal))} (declare it under backups:)");
        }
    }
}
