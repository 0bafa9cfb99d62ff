using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Tests;

/// <summary>The data directory is the owner's alone: created 0700 with 0600 files whatever the umask, and a wider mode is refused at start.</summary>
public sealed class DataDirectoryTests : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _root = Directory.CreateTempSubdirectory("paas-datadir-").FullName;

    [Fact]
    public void A_new_data_directory_is_0700_and_its_state_and_key_files_0600()
    {
        var data = Path.Combine(_root, "new", "data");
        using (var state = StateStore.Open(data))
        {
            new SecretStore(state).Set("shop", null, "TOKEN", "value");
            new Audit.AuditLog(state).Append("alice", "login", "127.0.0.1", "ok");
        }

        Assert.Equal(Owner | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        foreach (var file in new[] { "state.db", "state.lock", MasterKey.FileName, Audit.AuditKey.FileName, Audit.AuditHead.FileName })
        {
            Assert.Equal(Owner, File.GetUnixFileMode(Path.Combine(data, file)));
        }
    }

    [Fact]
    public void A_data_directory_others_can_enter_is_refused_naming_it_its_mode_and_the_fix()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root, "open")).FullName;
        File.SetUnixFileMode(data, Owner | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var error = Assert.Throws<DataDirectoryPermissionException>(() => StateStore.Open(data));

        Assert.Equal($"{data} has mode 0755, open to other users; it holds the platform's state and keys, so it must be the owner's only: run chmod 700 {data}", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(data)); // refused before anything was written there
    }

    [Theory]
    [InlineData("state.db")]
    [InlineData("master.key")]
    [InlineData("audit.key")]
    [InlineData("audit.head")]
    public void A_state_or_key_file_others_can_read_is_refused_at_start(string file)
    {
        var data = Path.Combine(_root, "data");
        using (var state = StateStore.Open(data))
        {
            new SecretStore(state).Set("shop", null, "TOKEN", "value");
            new Audit.AuditLog(state).Append("alice", "login", "127.0.0.1", "ok");
        }

        var path = Path.Combine(data, file);
        File.SetUnixFileMode(path, Owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<DataDirectoryPermissionException>(() => StateStore.Open(data).Dispose());

        Assert.Contains($"{path} has mode 0644", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"run chmod 600 {path}", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
