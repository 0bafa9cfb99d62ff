using System.Diagnostics;
using System.Globalization;

namespace Gitops.Engine.Execution;

/// <summary>
/// Test hook for crash safety: <c>PAAS_TEST_CRASH_AT=N</c> kills the process (SIGKILL, as kill -9)
/// right after journal entry N is written and before its side effect; <c>N+</c> kills it right
/// after the side effect, before the step is journaled as done.
/// </summary>
internal static class CrashHook
{
    private static readonly string? Setting = Environment.GetEnvironmentVariable("PAAS_TEST_CRASH_AT");

    public static void Before(int sequence) => KillIf(sequence.ToString(CultureInfo.InvariantCulture));

    public static void After(int sequence) => KillIf($"{sequence.ToString(CultureInfo.InvariantCulture)}+");

    private static void KillIf(string point)
    {
        if (Setting == point)
        {
            Console.Error.WriteLine($"PAAS_TEST_CRASH_AT={point}: killing the process");
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
