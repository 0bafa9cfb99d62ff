namespace Gitops.Engine.Targets;

/// <summary>The data directory, or a file in it, is open to other users: the platform does not start.</summary>
public sealed class DataDirectoryPermissionException(string message) : InvalidOperationException(message);

/// <summary>
/// Where the platform keeps its state: <c>--data-dir</c>, else <c>PAAS_HOME</c>, else <c>~/.paas</c>.
/// It holds the state database, the keys and login tokens, so it is the owner's alone: the
/// directory 0700, its key and state files 0600, whatever the umask. A wider mode found at start is
/// refused rather than quietly narrowed: a key others could read may have been copied, which only
/// its owner can judge.
/// </summary>
public static class DataDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static string Resolve(string? option) =>
        option ?? Environment.GetEnvironmentVariable("PAAS_HOME")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".paas");

    /// <summary>Creates the directory 0700 when it is missing; refuses one that group or others can reach.</summary>
    public static void Prepare(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode);
            File.SetUnixFileMode(path, DirectoryMode); // mkdir applies the umask; this does not
        }

        RequirePrivate(path, "700");
    }

    /// <summary>Creates an empty file 0600 (umask-independent) unless it exists; then checks it.</summary>
    public static void PrepareFile(string path)
    {
        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
            File.SetUnixFileMode(path, FileMode);
        }

        RequirePrivate(path, "600");
    }

    /// <summary>Throws, naming the path, its mode and the chmod to run, when group or others have any access.</summary>
    public static void RequirePrivate(string path, string chmod)
    {
        if (OperatingSystem.IsWindows() || !Path.Exists(path))
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new DataDirectoryPermissionException(
                $"{path} has mode {Octal(mode)}, open to other users; it holds the platform's state and keys, so it must be the owner's only: run chmod {chmod} {path}");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
