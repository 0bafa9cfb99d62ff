namespace Gitops.Engine.Backups;

/// <summary>Where archives and their manifests are kept: a directory, or an S3-compatible bucket.</summary>
public interface IBackupDestination : IDisposable
{
    string Name { get; }

    /// <summary>Stores <paramref name="content"/> (read to its end) under <paramref name="objectName"/>, replacing what was there.</summary>
    Task PutAsync(string objectName, Stream content, long length, CancellationToken cancellationToken);

    /// <summary>The stored object; <see cref="FileNotFoundException"/> when there is none.</summary>
    Task<Stream> GetAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>Names that start with <paramref name="prefix"/>.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken);

    Task DeleteAsync(string objectName, CancellationToken cancellationToken);
}
