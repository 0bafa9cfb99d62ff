using System.Runtime.InteropServices;

namespace Gitops.Cli;

/// <summary>
/// The terminal in raw mode while <c>paas exec</c> runs an interactive command: every key goes to
/// the command as typed (Ctrl+C included) and the command's terminal echoes. The settings before are
/// put back on dispose, whatever happened.
/// </summary>
internal sealed partial class RawTerminal : IDisposable
{
    private const int StandardInput = 0;
    private const int SetNow = 0; // TCSANOW

    /// <summary>Larger than any libc's struct termios (60 bytes on glibc): the bytes are only kept and handed back.</summary>
    private const int TermiosSize = 256;

    private readonly byte[] _saved = new byte[TermiosSize];
    private bool _restored;

    private RawTerminal()
    {
    }

    /// <summary>Raw mode on standard input, or null when it is not a terminal the calls work on.</summary>
    public static unsafe RawTerminal? Enter()
    {
        var terminal = new RawTerminal();
        var raw = new byte[TermiosSize];
        fixed (byte* saved = terminal._saved)
        fixed (byte* changed = raw)
        {
            if (GetAttributes(StandardInput, saved) != 0)
            {
                return null;
            }

            Buffer.MemoryCopy(saved, changed, TermiosSize, TermiosSize);
            MakeRaw(changed);
            return SetAttributes(StandardInput, SetNow, changed) == 0 ? terminal : null;
        }
    }

    public unsafe void Dispose()
    {
        if (_restored)
        {
            return;
        }

        _restored = true;
        fixed (byte* saved = _saved)
        {
            _ = SetAttributes(StandardInput, SetNow, saved);
        }
    }

    [LibraryImport("libc", EntryPoint = "tcgetattr")]
    private static unsafe partial int GetAttributes(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr")]
    private static unsafe partial int SetAttributes(int fd, int when, byte* termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static unsafe partial void MakeRaw(byte* termios);
}
