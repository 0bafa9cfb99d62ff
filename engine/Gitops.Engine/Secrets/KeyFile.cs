using System.Security.Cryptography;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Secrets;

/// <summary>A random 32-byte key in its own 0600 file of the data directory, outside the database.</summary>
internal static class KeyFile
{
    public const int Length = 32;

    /// <summary>Reads the key; null when the file does not exist and <paramref name="create"/> is false.</summary>
    public static byte[]? Load(string dataDirectory, string fileName, bool create, string what)
    {
        var path = Path.Combine(dataDirectory, fileName);
        if (!File.Exists(path))
        {
            if (!create)
            {
                return null;
            }

            DataDirectory.Prepare(dataDirectory);
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = DataDirectory.FileMode,
            });
            File.SetUnixFileMode(path, DataDirectory.FileMode); // the umask may have narrowed it further; never wider
            file.Write(RandomNumberGenerator.GetBytes(Length));
        }

        DataDirectory.RequirePrivate(path, "600");
        var key = File.ReadAllBytes(path);
        return key.Length == Length ? key : throw new InvalidOperationException($"the {what} {path} is damaged (expected {Length} bytes)");
    }
}
