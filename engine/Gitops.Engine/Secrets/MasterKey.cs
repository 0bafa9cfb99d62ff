using System.Security.Cryptography;

namespace Gitops.Engine.Secrets;

/// <summary>
/// The key that wraps every secret's data key. It lives in its own file beside the database,
/// readable by the owner only (0600), so a copy of the database alone reveals no secret.
/// </summary>
public static class MasterKey
{
    public const string FileName = "master.key";
    private const int Length = 32;

    /// <summary>Reads the key, creating it on first use when <paramref name="create"/> (and no secret exists yet).</summary>
    public static byte[] Load(string dataDirectory, bool create)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            if (!create)
            {
                throw new InvalidOperationException($"the master key {path} is missing: secrets stored in this data directory cannot be read; restore the key from your backup");
            }

            Directory.CreateDirectory(dataDirectory);
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            file.Write(RandomNumberGenerator.GetBytes(Length));
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException($"the master key {path} is readable by others ({mode}); run: chmod 600 {path}");
        }

        var key = File.ReadAllBytes(path);
        return key.Length == Length ? key : throw new InvalidOperationException($"the master key {path} is damaged (expected {Length} bytes)");
    }
}
