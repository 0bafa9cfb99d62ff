using System.Diagnostics;
using System.Globalization;

namespace Gitops.Engine.Execution;

/// <summary>
/// Where a test stops an apply between a journaled step and its side effect, to prove that a crash
/// at any step converges on the next run. Production code gets <see cref="None"/>.
/// </summary>
public interface ICrashHook
{
    /// <summary>Right after journal entry <paramref name="sequence"/> is written, before its side effect.</summary>
    ValueTask BeforeAsync(int sequence, CancellationToken cancellationToken);

    /// <summary>Right after the side effect, before the step is journaled as done.</summary>
    ValueTask AfterAsync(int sequence, CancellationToken cancellationToken);
}

public static class CrashHooks
{
    /// <summary>No crash point: every step runs.</summary>
    public static readonly ICrashHook None = new NoCrash();

    /// <summary>
    /// For whole-process tests: <c>PAAS_TEST_CRASH_AT=N</c> kills the process (SIGKILL, as kill -9)
    /// right after journal entry N is written and before its side effect; <c>N+</c> right after the
    /// side effect. Read once, by the composition root; unset gives <see cref="None"/>.
    /// </summary>
    public static ICrashHook FromEnvironment() =>
        Environment.GetEnvironmentVariable("PAAS_TEST_CRASH_AT") is { Length: > 0 } point ? new KillProcess(point) : None;

    private sealed class NoCrash : ICrashHook
    {
        public ValueTask BeforeAsync(int sequence, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AfterAsync(int sequence, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class KillProcess(string point) : ICrashHook
    {
        public ValueTask BeforeAsync(int sequence, CancellationToken cancellationToken) => KillIf(sequence.ToString(CultureInfo.InvariantCulture));

        public ValueTask AfterAsync(int sequence, CancellationToken cancellationToken) => KillIf($"{sequence.ToString(CultureInfo.InvariantCulture)}+");

        private ValueTask KillIf(string here)
        {
            if (here == point)
            {
                Console.Error.WriteLine($"PAAS_TEST_CRASH_AT={here}: killing the process");
                Process.GetCurrentProcess().Kill();
                Thread.Sleep(Timeout.Infinite);
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>What an apply takes from its surroundings besides the target: the clock, the crash hook and where its events go.</summary>
public sealed record ExecutionHooks(TimeProvider Clock, ICrashHook Crash)
{
    public Events.IEventSink Events { get; init; } = Gitops.Engine.Events.EventSinks.None;

    /// <summary>The system clock, the crash point of <c>PAAS_TEST_CRASH_AT</c> if any, and no event consumer.</summary>
    public static ExecutionHooks FromEnvironment() => new(TimeProvider.System, CrashHooks.FromEnvironment());
}
