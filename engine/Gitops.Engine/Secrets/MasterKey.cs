namespace Gitops.Engine.Secrets;

/// <summary>
/// The key that wraps every secret's data key. It lives in its own file beside the database,
/// readable by the owner only (0600), so a copy of the database alone reveals no secret.
/// </summary>
public static class MasterKey
{
    public const string FileName = "master.key";

    /// <summary>Reads the key, creating it on first use when <paramref name="create"/> (and no secret exists yet).</summary>
    public static byte[] Load(string dataDirectory, bool create) =>
        KeyFile.Load(dataDirectory, FileName, create, "master key")
        ?? throw new InvalidOperationException($"the master key {Path.Combine(dataDirectory, FileName)} is missing: secrets stored in this data directory cannot be read; restore the key from your backup");
}
