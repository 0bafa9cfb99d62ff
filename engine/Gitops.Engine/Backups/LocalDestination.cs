namespace Gitops.Engine.Backups;

/// <summary>
/// A directory of this machine (or a mounted disk). An object is written to a temporary name and
/// renamed, so a crash never leaves half an archive under a backup's name; files are the owner's only.
/// </summary>
public sealed class LocalDestination(string name, string directory) : IBackupDestination
{
    public string Name => name;

    public async Task PutAsync(string objectName, Stream content, long length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(directory, Targets.DataDirectory.DirectoryMode);
        var path = PathOf(objectName);
        var partial = path + ".partial";
        await using (var file = new FileStream(partial, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = Targets.DataDirectory.FileMode }))
        {
            await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        File.Move(partial, path, overwrite: true);
    }

    public Task<Stream> GetAsync(string objectName, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(File.Exists(PathOf(objectName)) ? File.OpenRead(PathOf(objectName)) : throw new FileNotFoundException($"{name} holds no {objectName}"));

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Where(f => f.StartsWith(prefix, StringComparison.Ordinal) && !f.EndsWith(".partial", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : []);

    public Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(objectName));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }

    /// <summary>Names are the platform's own ids: a name with a path in it is refused, never followed.</summary>
    private string PathOf(string objectName) =>
        objectName.Length == 0 || objectName.Contains('/', StringComparison.Ordinal) || objectName.Contains('\\', StringComparison.Ordinal) || objectName.StartsWith('.')
            ? throw new ArgumentException($"'{objectName}' is not a backup object name")
            : Path.Combine(directory, objectName);
}
