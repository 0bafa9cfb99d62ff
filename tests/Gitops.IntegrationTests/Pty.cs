using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Gitops.IntegrationTests;

/// <summary>
/// A process run on a pseudo-terminal of a given size (libc's <c>openpty</c> and <c>posix_spawnp</c>,
/// in a session of its own), so a test can type into <c>paas exec</c> as a person at a terminal
/// would and read what the terminal shows. Everything the terminal shows is kept in <see cref="Screen"/>.
/// </summary>
internal sealed partial class Pty : IDisposable
{
    private const short SetSession = 0x80; // POSIX_SPAWN_SETSID (glibc)
    private readonly FileStream _master;
    private readonly StringBuilder _screen = new();
    private readonly Task _reader;
    private readonly int _pid;

    private Pty(FileStream master, int pid)
    {
        (_master, _pid) = (master, pid);
        _reader = Task.Run(ReadAsync);
    }

    public string Screen
    {
        get
        {
            lock (_screen)
            {
                return _screen.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="program"/> with <paramref name="arguments"/> on a new terminal of <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public static unsafe Pty Start(int rows, int columns, string program, params string[] arguments)
    {
        var size = stackalloc ushort[4] { (ushort)rows, (ushort)columns, 0, 0 };
        if (OpenPty(out var master, out var slave, null, null, size) != 0)
        {
            throw new InvalidOperationException($"openpty failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var actions = stackalloc byte[512]; // posix_spawn_file_actions_t (80 bytes on glibc)
        var attributes = stackalloc byte[1024]; // posix_spawnattr_t (336 bytes on glibc)
        var strings = new List<IntPtr>();
        try
        {
            Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
            foreach (var fd in new[] { 0, 1, 2 })
            {
                Check(FileActionsDup2(actions, slave, fd), "posix_spawn_file_actions_adddup2");
            }

            Check(FileActionsClose(actions, master), "posix_spawn_file_actions_addclose");
            Check(AttributesInit(attributes), "posix_spawnattr_init");
            Check(AttributesSetFlags(attributes, SetSession), "posix_spawnattr_setflags");
            var argv = Terminated(strings, [program, .. arguments]);
            var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k != "TERM")
                .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}").Append("TERM=xterm").ToArray();
            var envp = Terminated(strings, environment);
            int pid;
            fixed (IntPtr* args = argv)
            fixed (IntPtr* env = envp)
            {
                Check(Spawn(&pid, program, actions, attributes, args, env), $"posix_spawnp {program}");
            }

            _ = Close(slave); // the child has it now
            return new Pty(new FileStream(new SafeFileHandle(master, ownsHandle: true), FileAccess.ReadWrite, 1), pid);
        }
        finally
        {
            strings.ForEach(Marshal.FreeHGlobal);
        }
    }

    /// <summary>Types <paramref name="keys"/> (a carriage return is Enter).</summary>
    public void Type(string keys)
    {
        _master.Write(Encoding.UTF8.GetBytes(keys));
        _master.Flush();
    }

    /// <summary>Waits until the screen shows <paramref name="text"/>; fails with what it shows after <paramref name="within"/>.</summary>
    public async Task WaitForAsync(string text, TimeSpan within)
    {
        for (var deadline = DateTime.UtcNow + within; DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (Screen.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail($"the terminal never showed '{text}' within {within}; it shows:\n{Screen}");
    }

    /// <summary>The process's exit code once it ended (its terminal's output read to the end).</summary>
    public async Task<int> ExitCodeAsync(TimeSpan within)
    {
        var status = 0;
        var waited = Task.Run(() => WaitPid(_pid, out status, 0));
        Assert.True(await Task.WhenAny(waited, Task.Delay(within)) == waited, $"still running after {within}; the terminal shows:\n{Screen}");
        await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(2)));
        return (status >> 8) & 0xff;
    }

    public void Dispose() => _master.Dispose();

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        try
        {
            int read;
            while ((read = await _master.ReadAsync(buffer)) > 0)
            {
                lock (_screen)
                {
                    _screen.Append(chars, 0, decoder.GetChars(buffer, 0, read, chars, 0));
                }
            }
        }
        catch (IOException)
        {
            // EIO: every process on the terminal's other side has closed it.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static IntPtr[] Terminated(List<IntPtr> strings, string[] values)
    {
        var pointers = values.Select(Marshal.StringToHGlobalAnsi).ToList();
        strings.AddRange(pointers);
        return [.. pointers, IntPtr.Zero];
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{what} failed: {result}");
        }
    }

    [LibraryImport("libc", EntryPoint = "openpty", SetLastError = true)]
    private static unsafe partial int OpenPty(out int master, out int slave, byte* name, void* termios, ushort* size);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static unsafe partial int FileActionsInit(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static unsafe partial int FileActionsDup2(byte* actions, int fd, int to);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addclose")]
    private static unsafe partial int FileActionsClose(byte* actions, int fd);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static unsafe partial int AttributesInit(byte* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static unsafe partial int AttributesSetFlags(byte* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnp", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Spawn(int* pid, string file, byte* actions, byte* attributes, IntPtr* argv, IntPtr* envp);

    [LibraryImport("libc", EntryPoint = "waitpid")]
    private static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
