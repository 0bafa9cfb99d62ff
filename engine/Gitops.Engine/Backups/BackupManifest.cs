using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gitops.Engine.Backups;

/// <summary>
/// What a backup is, kept beside its archive at the destination (<c>ID.json</c> next to
/// <c>ID.paasbk</c>): what was backed up, when, from which deployment, and the archive's size and
/// SHA-256, checked before anything is restored from it.
/// </summary>
/// <remarks>Not sealed only so the CLI's listing can show a backup as its manifest's fields with its drill beside them.</remarks>
public record BackupManifest
{
    public required string Id { get; init; }

    public required string Project { get; init; }

    public required string Environment { get; init; }

    public required string Service { get; init; }

    /// <summary>The template and its dump format, e.g. <c>postgres</c>, <c>pg_dump custom</c>; <c>volumes</c> for a plain service's volumes.</summary>
    public required string Template { get; init; }

    public required string Format { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The deployment that ran the service when it was backed up.</summary>
    public string? Deployment { get; init; }

    /// <summary>The image that made the dump (a restore into another version says so).</summary>
    public string? Image { get; init; }

    /// <summary>The dump's own size, before it was sealed.</summary>
    public long PlainBytes { get; init; }

    /// <summary>The archive's size and SHA-256 (hex), as stored.</summary>
    public long Bytes { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>The template's check on the service when it was backed up (e.g. <c>3 tables</c>), to compare after a restore; a volume backup's entries and digest.</summary>
    public string? Check { get; init; }

    /// <summary>A volume backup's volumes, by their manifest name (each a directory of the archive); null for a template's dump.</summary>
    public IReadOnlyList<string>? Volumes { get; init; }

    /// <summary>Where it is kept (a destination of platform.yaml's <c>backups:</c>).</summary>
    public string Destination { get; init; } = "";

    [JsonIgnore]
    public string ArchiveName => $"{Id}.paasbk";

    [JsonIgnore]
    public string ManifestName => $"{Id}.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>A new id: the service and the time, sortable, and a random tail so two runs in the same second differ.</summary>
    public static string NewId(string project, string environment, string service, DateTimeOffset at) =>
        $"{project}--{environment}--{service}--{at.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
}
